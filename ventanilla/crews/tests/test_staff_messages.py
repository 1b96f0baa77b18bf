"""Internal messages and staff notifications, through the fake providers."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine

from ventanilla.cases.models import Role
from ventanilla.cases.services import assign_case
from ventanilla.cases.tests.factories import make_case, make_staff
from ventanilla.channels.models import PendingStatus
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.chat import local, make_town
from ventanilla.crews import services
from ventanilla.crews.models import NotificationPreference, StaffMessage
from ventanilla.crews.tests.factories import make_crew, make_identity
from ventanilla.fakes.tests.harness import Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def telegram_sends(fakes: Fakes) -> list[dict[str, Any]]:
    calls = [c for c in fakes.calls("telegram") if c["path"].endswith("/sendMessage")]
    return [json.loads(c["body"]) for c in calls]


@pytest.fixture
def town(transactional_db: Any) -> Any:
    return make_town()


def test_a_message_to_a_crew_reaches_each_phone_with_read_receipts(fakes: Fakes, town: Any):
    channel = fakes.channel("whatsapp", council=town.council)
    supervisor = make_staff(council=town.council, role=Role.SUPERVISOR, username="marta")
    crew = make_crew(council=town.council, name="Parques")
    member = make_staff(council=town.council)
    crew.members.add(member)
    make_identity(channel=channel, crew=crew, urn="whatsapp:34600999001")
    make_identity(channel=channel, user=member, urn="whatsapp:34600999002")

    services.send_internal_message(
        council=town.council, author=supervisor, crew=crew, text="Mañana se poda en el parque"
    )
    run_tasks()

    sends = [
        json.loads(c["body"]) for c in fakes.calls("whatsapp") if c["path"].endswith("/messages")
    ]
    assert sorted(s["to"] for s in sends) == ["34600999001", "34600999002"]
    assert all("Mañana se poda en el parque" in s["text"]["body"] for s in sends)
    fakes.flush()  # the phones report delivered, then read
    rows = StaffMessage.objects.filter(internal__isnull=False)
    assert [(m.status, m.read_at is not None) for m in rows] == [("read", True)] * 2
    assert not PendingStatus.objects.exists()  # not mistaken for a resident's message
    assert not Message.objects.exists()


def test_a_department_message_reaches_its_staff_only(fakes: Fakes, town: Any):
    channel = fakes.channel("telegram", council=town.council)
    inside = make_staff(council=town.council, departments=(town.urbanos,))
    outside = make_staff(council=town.council, departments=(town.ambiente,))
    make_identity(channel=channel, user=inside, urn="telegram:700001")
    make_identity(channel=channel, user=outside, urn="telegram:700002")

    services.send_internal_message(
        council=town.council, author=None, department=town.urbanos, text="Reunión a las 12"
    )
    run_tasks()

    assert [m["chat_id"] for m in telegram_sends(fakes)] == [700001]


def test_assigned_to_me_arrives_on_my_phone_after_my_quiet_hours(fakes: Fakes, town: Any):
    channel = fakes.channel("telegram", council=town.council)
    agent = make_staff(council=town.council, departments=(town.urbanos,))
    make_identity(channel=channel, user=agent, urn="telegram:700003")
    services.set_preference(
        user=agent,
        via=NotificationPreference.Via.MESSAGING,
        events=[NotificationPreference.Event.ASSIGNED],
        quiet_from=local(2026, 3, 10, 22).time(),
        quiet_until=local(2026, 3, 11, 8).time(),
    )
    case = make_case(category=town.alumbrado)

    def told() -> list[str]:
        return [m["text"] for m in telegram_sends(fakes)]

    with time_machine.travel(local(2026, 3, 10, 23, 0), tick=False):
        assign_case(case=case, agent=agent)
        run_tasks()
    assert told() == []  # quiet hours
    with time_machine.travel(local(2026, 3, 11, 8, 0), tick=False):
        run_tasks()
    assert len(told()) == 1 and case.reference in told()[0]


def test_no_preference_no_notification(fakes: Fakes, town: Any):
    channel = fakes.channel("telegram", council=town.council)
    agent = make_staff(council=town.council, departments=(town.urbanos,))
    make_identity(channel=channel, user=agent, urn="telegram:700004")
    assign_case(case=make_case(category=town.alumbrado), agent=agent)
    run_tasks()
    assert not StaffMessage.objects.exists()
