"""Every step × {stale tap, language change, expiry, cancel}: what the resident notices.

Like ``cases/tests/test_workflow.py`` walks the workflow, this walks ``engine.STEPS``: each
step is reached the way a resident reaches it, then one interruption arrives, and the test
reads the first answer and where the resident is afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.utils import timezone

from ventanilla.cases.tests.factories import make_case
from ventanilla.conversations.bot_templates import Default
from ventanilla.conversations.dialog import commands, offer_survey
from ventanilla.conversations.dialog.engine import STEPS
from ventanilla.conversations.dialog.state import DialogState, StepName
from ventanilla.conversations.tests.chat import Resident, Town

#: a button of an earlier question: "is it about case 999?", asked long ago
OLD_BUTTON = "attach:999"


def _idle(resident: Resident, town: Town) -> None:
    resident.accept_notice()


def _notice(resident: Resident, town: Town) -> None:
    resident.send("Hola")


def _declined(resident: Resident, town: Town) -> None:
    resident.send("Hola")
    resident.send("No acepto")


def _describe(resident: Resident, town: Town) -> None:
    resident.accept_notice()
    resident.send("menú")
    resident.tap("menu:report")


def _photos(resident: Resident, town: Town) -> None:
    _describe(resident, town)
    resident.send("Hay una farola apagada")


def _location(resident: Resident, town: Town) -> None:
    _photos(resident, town)
    resident.tap("report:continue")


def _category(resident: Resident, town: Town) -> None:
    resident.accept_notice()
    resident.send("Hay una farola apagada en la plaza")


def _status(resident: Resident, town: Town) -> None:
    resident.accept_notice()
    resident.send("menú")
    resident.tap("menu:status")


def _attach(resident: Resident, town: Town) -> None:
    resident.accept_notice()
    make_case(category=town.alumbrado, urn=resident.conversation_urn)
    resident.send("El contenedor de basura está lleno")


def _reopen(resident: Resident, town: Town) -> None:
    from ventanilla.cases.services import change_status

    resident.accept_notice()
    case = make_case(category=town.alumbrado, urn=resident.conversation_urn)
    change_status(case=case, status="in_progress")
    change_status(case=case, status="resolved")
    resident.send("No, gracias", choice="survey:skip")
    resident.send("La farola sigue apagada")


def _score(resident: Resident, town: Town) -> None:
    resident.accept_notice()
    case = make_case(category=town.alumbrado, urn=resident.conversation_urn)
    offer_survey(conversation=resident.conversation, case=case)


def _comment(resident: Resident, town: Town) -> None:
    _score(resident, town)
    resident.tap("4")


def _ask_errand(turn, waiting, lead):
    turn.reply("\n\n".join(p for p in (lead, turn.t("test.errand")) if p))
    commands.await_reply(turn, ERRAND, waiting.step)


def _start_errand(turn, words):
    _ask_errand(turn, commands.CommandStep("errand", "what"), "")
    return True


#: a command another app could add, that waits for an answer (``commands.await_reply``)
ERRAND = commands.Command(
    words=("recado",),
    handle=_start_errand,
    texts={"test.errand": Default("Test.", "¿Qué recado?", "Quin encàrrec?", "Which errand?")},
    name="errand",
    follow=lambda turn, waiting: bool(turn.reply("Anotado")),
    ask=_ask_errand,
)


@pytest.fixture(autouse=True)
def _errand_command():
    commands.add(ERRAND)
    yield
    commands.remove(ERRAND)


def _command(resident: Resident, town: Town) -> None:
    resident.accept_notice()
    resident.send("recado")


REACH: dict[StepName, Callable[[Resident, Town], None]] = {
    StepName.IDLE: _idle,
    StepName.NOTICE: _notice,
    StepName.DECLINED: _declined,
    StepName.REPORT_DESCRIBE: _describe,
    StepName.REPORT_PHOTOS: _photos,
    StepName.REPORT_LOCATION: _location,
    StepName.REPORT_CATEGORY: _category,
    StepName.STATUS_ASK: _status,
    StepName.ATTACH_ASK: _attach,
    StepName.REOPEN_ASK: _reopen,
    StepName.SURVEY_SCORE: _score,
    StepName.SURVEY_COMMENT: _comment,
    StepName.COMMAND: _command,
}


def test_every_step_can_be_reached_and_is_in_the_table():
    assert set(REACH) == set(StepName) == set(STEPS)


def _interrupt(resident: Resident, what: str, step: StepName) -> list:
    if what == "stale tap":
        return resident.send("Más", choice=OLD_BUTTON)
    if what == "language change":
        return resident.send("English please")
    if what == "cancel":
        return resident.send("cancelar")
    later = STEPS[step].ttl + dt.timedelta(minutes=1)
    with time_machine.travel(timezone.now() + later, tick=False):
        return resident.send("hola")


STALE = "Esa opción ya no está disponible."
CHANGED = "OK, from now on we will write to you in English."
MENU = "¿En qué podemos ayudarle?"
MENU_EN = "How can we help?"
NOTICE = "¡Hola! Le atiende"
NOTICE_EN = "Hello! This is"
CANCELLED = "De acuerdo, hemos descartado el aviso"
OPTED_OUT = "Hecho: no le enviaremos más mensajes automáticos."
#: the question each step asks, in Spanish and in English
QUESTION = {
    StepName.REPORT_DESCRIBE: ("Cuéntenos en un mensaje qué ocurre", "Tell us in one message"),
    StepName.REPORT_PHOTOS: ("Si tiene fotos del problema", "If you have photos of the problem"),
    StepName.REPORT_LOCATION: ("¿Dónde está?", "Where is it?"),
    StepName.REPORT_CATEGORY: ("Entendemos que se trata de", "We understand this is about"),
    StepName.STATUS_ASK: ("Escriba el número del caso", "Write the case number"),
    StepName.ATTACH_ASK: ("¿Su mensaje es sobre la incidencia", "Is your message about case"),
    StepName.REOPEN_ASK: ("consta como resuelta", "is marked as resolved"),
    StepName.SURVEY_SCORE: ("¿Cómo valora la gestión", "How would you rate how case"),
    StepName.SURVEY_COMMENT: ("¿Quiere añadir un comentario?", "Would you like to add a comment?"),
    StepName.COMMAND: ("¿Qué recado?", "Which errand?"),
}
S = StepName
#: (step, interruption) -> (what the resident reads, in order; the step they are in after)
EXPECTED: dict[tuple[StepName, str], tuple[tuple[str, ...], StepName]] = {
    # no question open: a stale tap or CANCELAR gets the menu or an opt-out, never an error
    (S.IDLE, "stale tap"): ((STALE, MENU), S.IDLE),
    (S.IDLE, "language change"): ((CHANGED, MENU_EN), S.IDLE),
    (S.IDLE, "expiry"): ((MENU,), S.IDLE),
    (S.IDLE, "cancel"): ((OPTED_OUT,), S.IDLE),
    # the notice: any tap or any words (but a refusal) accept it
    (S.NOTICE, "stale tap"): ((MENU,), S.IDLE),
    (S.NOTICE, "language change"): ((CHANGED, NOTICE_EN), S.NOTICE),
    (S.NOTICE, "expiry"): ((MENU,), S.IDLE),
    (S.NOTICE, "cancel"): ((OPTED_OUT,), S.NOTICE),
    # declined: whatever comes next shows the notice again, CANCELAR opts out
    (S.DECLINED, "stale tap"): ((NOTICE,), S.NOTICE),
    (S.DECLINED, "language change"): ((CHANGED, NOTICE_EN), S.NOTICE),
    (S.DECLINED, "expiry"): ((NOTICE,), S.NOTICE),
    (S.DECLINED, "cancel"): ((OPTED_OUT,), S.DECLINED),
    # the score question stays open for its buttons, but other talk goes on as usual
    (S.SURVEY_SCORE, "stale tap"): ((STALE, MENU), S.IDLE),
    (S.SURVEY_SCORE, "expiry"): ((MENU,), S.IDLE),
    (S.SURVEY_SCORE, "cancel"): ((OPTED_OUT,), S.IDLE),
}
for _step, (_es, _en) in QUESTION.items():
    # a question being answered: re-asked after a stale tap or a language change (in the
    # new language), dropped when it expires or the resident cancels it
    EXPECTED.setdefault((_step, "stale tap"), ((STALE, _es), _step))
    EXPECTED.setdefault((_step, "language change"), ((CHANGED, _en), _step))
    EXPECTED.setdefault((_step, "expiry"), ((MENU,), S.IDLE))
    EXPECTED.setdefault((_step, "cancel"), ((CANCELLED, MENU), S.IDLE))


@pytest.mark.parametrize("what", ["stale tap", "language change", "expiry", "cancel"])
@pytest.mark.parametrize("step", list(StepName))
def test_every_step_survives_every_interruption(town, channel, step, what):
    resident = Resident(channel, name="Nuria")
    REACH[step](resident, town)
    assert DialogState.load(resident.state).step is step
    reads, step_after = EXPECTED[step, what]

    text = "\n".join(reply.text for reply in _interrupt(resident, what, step))

    positions = [text.find(part) for part in reads]
    assert -1 not in positions and positions == sorted(positions), (reads, text)
    after = DialogState.load(resident.state)
    assert after.step is step_after
    if step_after in (S.IDLE, S.NOTICE, S.DECLINED):
        assert after.report is None and after.pending == [] and after.attach_case is None
        assert after.reopen_case is None
    assert resident.citizen.opted_out == (reads == (OPTED_OUT,))
