"""A crew on Telegram, through the fake providers and real HTTP: link, work order, answers."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import translation

from ventanilla.cases.models import Case, Role
from ventanilla.cases.services import assign_case
from ventanilla.cases.tests.factories import make_staff
from ventanilla.cases.workflow import Status
from ventanilla.citizens.models import Identity
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.tests.chat import local, make_town
from ventanilla.crews import services
from ventanilla.crews.models import ClosureEvidence, Crew, StaffIdentity, StaffMessage, WorkOrder
from ventanilla.crews.tests.phones import Phone, text_of
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.telegram import telegram_user_id
from ventanilla.fakes.tests.harness import Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENT = "123456789"
CREW_PHONE = "brigada-alumbrado"


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.fixture
def town(transactional_db: Any) -> Any:
    return make_town()


@pytest.fixture
def setting(fakes: Fakes, simulator: Simulator, town: Any) -> Any:
    """A resident's report with a photo and a place; an agent; a crew that linked its phone."""
    channel = fakes.channel("telegram", council=town.council)
    resident = Phone(fakes, simulator, "telegram", RESIDENT)
    resident.say("Hola")
    resident.tap("Acepto")
    resident.tap("Comunicar incidencia")
    resident.say("La farola de la calle Mayor 3 no enciende, llamadme al 600111222")
    resident.say(image=True)
    resident.tap("Continuar")
    resident.say(location={"latitude": 40.4168, "longitude": -3.7038})
    resident.tap("Sí, es eso")
    case = Case.objects.get()
    agent = make_staff(council=town.council, role=Role.AGENT, departments=(town.urbanos,))
    supervisor = make_staff(council=town.council, role=Role.SUPERVISOR)
    assign_case(case=case, agent=agent)
    run_tasks()
    crew = Crew.objects.create(
        council=town.council, name="Brigada de alumbrado", supervisor=supervisor
    )
    code = services.create_link_code(council=town.council, crew=crew, by=agent)
    crew_phone = Phone(fakes, simulator, "telegram", CREW_PHONE)
    linked = crew_phone.say(f"VINCULAR {code.code}")
    assert "Brigada de alumbrado" in text_of(linked)
    return type(
        "Setting",
        (),
        {
            "channel": channel,
            "case": case,
            "agent": agent,
            "supervisor": supervisor,
            "crew": crew,
            "resident": resident,
            "crew_phone": crew_phone,
        },
    )


def test_a_crew_gets_the_work_order_and_closes_the_case_with_a_photo(setting: Any) -> None:
    case, crew_phone, resident = setting.case, setting.crew_phone, setting.resident
    resident_before = len(resident.outs())

    with translation.override("es"):
        services.send_work_order(
            case=case, crew=setting.crew, by=setting.agent, note="Llevad escalera"
        )
    run_tasks()

    order = crew_phone.outs()
    text = text_of(order)
    assert case.reference in text and "Alumbrado público" in text
    assert "Llevad escalera" in text
    assert f"/inbox/cases/{case.reference}/" in text  # the short link for staff
    assert "600111222" not in text  # the resident's description, redacted
    assert any(m["image"] for m in order)  # the resident's photo
    assert any(
        m["location"] and m["location"]["latitude"] == 40.4168 for m in order
    )  # a location message
    assert resident.outs()[resident_before:] == []  # the resident hears nothing of it

    thanks = crew_phone.say("hecho, cambiada la bombilla", image=True)
    assert case.reference in text_of(thanks)

    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    evidence = ClosureEvidence.objects.get(case=case)
    assert evidence.file and evidence.public_approved is False
    assert evidence.note == "cambiada la bombilla"
    assert WorkOrder.objects.get().state == WorkOrder.State.DONE
    told = text_of(resident.outs()[resident_before:])
    assert f"Su incidencia {case.reference} ha quedado resuelta" in told
    assert "bombilla" not in told  # the crew's note is internal


def test_not_ours_returns_the_case_to_the_queue_with_the_reason(setting: Any) -> None:
    case = setting.case
    services.send_work_order(case=case, crew=setting.crew, by=setting.agent)
    run_tasks()

    answer = setting.crew_phone.say("No es nuestro: es de la compañía eléctrica")
    assert case.reference in text_of(answer)

    case.refresh_from_db()
    assert case.assignee is None
    assert case.status != Status.RESOLVED
    note = case.notes.order_by("-created_at", "-pk").first()
    assert note is not None and "es de la compañía eléctrica" in note.text
    history = case.events.filter(kind="assignee").order_by("-created_at", "-pk").first()
    assert history is not None and "compañía eléctrica" in history.comment
    assert WorkOrder.objects.get().state == WorkOrder.State.NOT_OURS


def test_a_staff_phone_never_enters_the_resident_dialog(setting: Any) -> None:
    crew_urn = f"telegram:{telegram_user_id(CREW_PHONE)}"
    messages_before = Message.objects.count()

    answer = setting.crew_phone.say("Hola, quiero comunicar una incidencia")

    assert "hecho" in text_of(answer)  # the crew's help, not the resident menu
    assert not Identity.objects.filter(urn=crew_urn).exists()
    assert not Conversation.objects.filter(urn=crew_urn).exists()
    assert Message.objects.count() == messages_before
    assert Case.objects.count() == 1
    assert StaffIdentity.objects.get().urn == crew_urn
    assert StaffMessage.objects.filter(direction="in").count() == 1


def test_a_residents_message_never_reaches_a_crews_chat(setting: Any) -> None:
    crew_before = len(setting.crew_phone.outs())

    setting.resident.say("¿Cómo va lo mío? Decidle a la brigada que vengan ya")
    setting.resident.say(image=True)

    assert setting.crew_phone.outs()[crew_before:] == []


def test_reminder_and_escalation_come_at_the_right_office_time(
    setting: Any, fakes: Fakes, simulator: Simulator
) -> None:
    # the supervisor links their own phone
    code = services.create_link_code(council=setting.case.council, user=setting.supervisor)
    boss = Phone(fakes, simulator, "telegram", "jefa-de-brigada")
    boss.say(f"link {code.code}")
    crew_phone = setting.crew_phone
    # sent on Tuesday 10 March, due Monday 16 March at 10:00 (office 9:00-14:00)
    services.send_work_order(
        case=setting.case, crew=setting.crew, by=setting.agent, due_at=local(2026, 3, 16, 10)
    )
    run_tasks()
    crew_before, boss_before = len(crew_phone.outs()), len(boss.outs())

    with time_machine.travel(local(2026, 3, 13, 12, 59), tick=False):
        run_tasks()
    assert crew_phone.outs()[crew_before:] == []
    with time_machine.travel(local(2026, 3, 13, 13, 0), tick=False):  # Friday afternoon
        run_tasks()
    reminder = text_of(crew_phone.outs()[crew_before:])
    assert "Recordatorio" in reminder and setting.case.reference in reminder
    assert boss.outs()[boss_before:] == []

    with time_machine.travel(local(2026, 3, 16, 9, 59), tick=False):
        run_tasks()
    assert boss.outs()[boss_before:] == []
    with time_machine.travel(local(2026, 3, 16, 10, 0), tick=False):  # the deadline
        run_tasks()
    escalation = text_of(boss.outs()[boss_before:])
    assert setting.case.reference in escalation and "past its deadline" in escalation
    assert WorkOrder.objects.get().escalated_at is not None
    assert "past its deadline" in setting.case.notes.last().text


def test_an_answered_work_order_is_neither_reminded_nor_escalated(setting: Any) -> None:
    services.send_work_order(
        case=setting.case, crew=setting.crew, by=setting.agent, due_at=local(2026, 3, 16, 10)
    )
    run_tasks()
    setting.crew_phone.say("en camino")
    setting.crew_phone.say("no es nuestro, es de Aguas")
    before = len(setting.crew_phone.outs())

    with time_machine.travel(local(2026, 3, 16, 11, 0), tick=False):
        run_tasks()

    assert setting.crew_phone.outs()[before:] == []
    order = WorkOrder.objects.get()
    assert (order.reminded_at, order.escalated_at) == (None, None)
