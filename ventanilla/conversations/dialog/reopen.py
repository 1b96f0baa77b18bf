"""Still not fixed: a resident says a resolved problem is back, and is offered to reopen it.

"Pues la farola sigue apagada" after the streetlight case was resolved is not a new report:
the resident is asked whether to reopen that case. Within ``settings.REOPEN_WINDOW_DAYS`` of
its resolution the case is reopened (``cases.services.change_status`` to REOPENED, which
tells the resident like any change); after that, or once the case is closed for good, a new
case of the same kind is opened, with an internal note on each case naming the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from ventanilla.cases.models import Case
from ventanilla.cases.references import find_references
from ventanilla.cases.services import CaseError, add_note, change_status, open_case
from ventanilla.cases.workflow import ALLOWED_TRANSITIONS, Status
from ventanilla.conversations import classify
from ventanilla.conversations.dialog.choices import ChoiceId
from ventanilla.conversations.dialog.menu import show_menu
from ventanilla.conversations.dialog.state import StepName
from ventanilla.conversations.dialog.steps import NewReport, Outcome, Step, stale
from ventanilla.conversations.dialog.turn import Turn, citizen_case, join, long_date, office_note
from ventanilla.conversations.dialog.words import STILL_BROKEN, STILL_BROKEN_PHRASES
from ventanilla.conversations.language import fold
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import attach_messages_to_case

#: finished cases a "still broken" message may be about
FINISHED = (Status.RESOLVED, Status.CLOSED)
NEW = ChoiceId("reopen", "new")


def says_still_broken(text: str) -> bool:
    """Return whether ``text`` says a problem is still there ("sigue apagada", "still broken")."""
    folded = fold(text)
    return bool(STILL_BROKEN & set(classify.words(text))) or any(
        phrase in folded for phrase in STILL_BROKEN_PHRASES
    )


def case_to_reopen(turn: Turn, ids: Sequence[int]) -> Case | None:
    """Return the resident's finished case the messages ``ids`` say is still not fixed.

    The case is named by its reference, or is the latest finished case of the kind of thing
    the messages are about (or simply the latest one, when they name no kind of thing).
    """
    text = " ".join(m.text for m in turn.messages(ids) if m.text)
    if not says_still_broken(text):
        return None
    cases = list(
        Case.objects.filter(council=turn.council, citizen=turn.citizen, status__in=FINISHED)
        .select_related("category")
        .order_by("-resolved_at", "-pk")[:10]
    )
    if not cases:
        return None
    named = set(find_references(text))
    for case in cases:
        if case.reference in named:
            return case
    suggested = classify.suggest_categories(council=turn.council, text=text, limit=1)
    if not suggested:
        return cases[0]
    return next((c for c in cases if c.category_id == suggested[0].category.pk), None)


def offer_reopen(turn: Turn, case: Case, ids: Sequence[int]) -> None:
    """Ask whether to reopen ``case`` or take the messages ``ids`` as something new."""
    turn.state.clear_flow()
    turn.state.pending = list(ids)
    turn.state.reopen_case = case.pk
    turn.state.set_step(StepName.REOPEN_ASK)
    _ask(turn, case)


def may_reopen(case: Case) -> bool:
    """Return whether ``case`` can still be reopened: resolved, within the window."""
    window = dt.timedelta(days=settings.REOPEN_WINDOW_DAYS)
    resolved = case.resolved_at
    return (
        Status.REOPENED in ALLOWED_TRANSITIONS[Status(case.status)]
        and resolved is not None
        and timezone.now() - resolved <= window
    )


def _ask(turn: Turn, case: Case) -> None:
    choices = [
        ChoiceId("reopen", str(case.pk)).offer(turn.t("label.reopen")),
        NEW.offer(turn.t("label.reopen_new")),
    ]
    turn.say(
        "reopen.ask",
        choices,
        reference=case.reference,
        category=case.category.name_in(turn.language),
    )


def _answer(turn: Turn) -> Outcome | None:
    case = citizen_case(turn, turn.state.reopen_case)
    pending = list(turn.state.pending)
    if case is None or not pending:
        show_menu(turn)
        return None
    if turn.choice == ChoiceId("reopen", str(case.pk)):
        turn.state.clear_flow()
        _reopen(turn, case, [*pending, turn.message.pk])
    elif turn.choice == NEW:
        turn.state.clear_flow()
        return NewReport(tuple(pending), tapped=turn.message.pk)
    elif turn.choice:
        return stale(turn)
    else:
        turn.state.pending = [*pending, turn.message.pk]  # more words before an answer
        _ask(turn, case)
    return None


def _reopen(turn: Turn, case: Case, ids: list[int]) -> None:
    """Reopen ``case`` within the window; after it, open a new case linked to it."""
    if may_reopen(case):
        attach_messages_to_case(case=case, messages=ids)
        # The change tells the resident ("now Reopened") like any other: no second message.
        change_status(case=case, status=Status.REOPENED)
        return
    texts = [m.text for m in Message.objects.filter(pk__in=ids).order_by("pk") if m.text]
    try:
        new = open_case(
            category=case.category,
            description="\n".join(texts) or case.description,
            citizen=turn.citizen,
            channel=turn.conversation.channel,
            latitude=case.latitude,
            longitude=case.longitude,
            address=case.address,
        )
    except CaseError:
        show_menu(turn)  # the kind of case is no longer taken: the resident starts again
        return
    attach_messages_to_case(case=new, messages=ids)
    follows = gettext(
        "The resident says case %(reference)s is still not fixed; this case follows it."
    )
    again = gettext("The resident reported this again after resolution, as case %(reference)s.")
    add_note(case=new, author=None, text=follows % {"reference": case.reference})
    add_note(case=case, author=None, text=again % {"reference": new.reference})
    created = turn.t(
        "report.created",
        reference=new.reference,
        category=new.category.name_in(turn.language),
        department=new.department.name_in(turn.language),
        due_date=long_date(new.due_at, turn),
    )
    linked = turn.t("reopen.linked", old_reference=case.reference)
    turn.reply(join(created, linked, office_note(turn)), case=new)


def _reask(turn: Turn, lead: str) -> None:
    case = citizen_case(turn, turn.state.reopen_case)
    if case is None:
        show_menu(turn, lead=lead)
        return
    if lead:
        turn.reply(lead)
    _ask(turn, case)


STEPS = (Step(StepName.REOPEN_ASK, _answer, _reask),)
