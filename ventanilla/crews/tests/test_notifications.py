"""Staff notifications: who hears of what, on their own phone (rows written with the change)."""

from __future__ import annotations

import datetime as dt

import pytest

from ventanilla.cases.services import assign_case, change_status
from ventanilla.cases.tests.factories import make_case, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.conversations.services import attach_messages_to_case
from ventanilla.conversations.tests.chat import Resident, make_channel, make_town
from ventanilla.crews import services
from ventanilla.crews.models import NotificationPreference, StaffMessage
from ventanilla.crews.notifications import notify_deadlines
from ventanilla.crews.tests.factories import make_identity

pytestmark = pytest.mark.django_db
Event = NotificationPreference.Event


@pytest.fixture
def town():
    return make_town()


@pytest.fixture
def channel(town):
    return make_channel(town.council, "telegram")


def staff_on_phone(town, channel, events, departments=None):
    user = make_staff(council=town.council, departments=departments or (town.urbanos,))
    make_identity(channel=channel, user=user)
    services.set_preference(user=user, via=NotificationPreference.Via.MESSAGING, events=events)
    return user


def told(user) -> list[str]:
    return list(
        StaffMessage.objects.filter(identity__user=user, direction="out").values_list(
            "text", flat=True
        )
    )


def test_a_new_case_reaches_the_departments_staff_who_asked(town, channel):
    wants = staff_on_phone(town, channel, [Event.NEW_IN_DEPARTMENT])
    does_not = staff_on_phone(town, channel, [Event.ASSIGNED])
    elsewhere = staff_on_phone(town, channel, [Event.NEW_IN_DEPARTMENT], (town.ambiente,))

    case = make_case(category=town.alumbrado)

    assert len(told(wants)) == 1 and case.reference in told(wants)[0]
    assert told(does_not) == told(elsewhere) == []


def test_a_residents_answer_reaches_the_assignee(town, channel):
    agent = staff_on_phone(town, channel, [Event.RESIDENT_ANSWERED])
    resident = Resident(channel, name="Pere")
    resident.accept_notice()
    case = make_case(category=town.alumbrado, urn=resident.urn)
    assign_case(case=case, agent=agent)
    change_status(case=case, status=Status.WAITING_RESIDENT)
    resident.send("Es la farola junto al banco")
    last = resident.conversation.messages.filter(direction="in").last()
    attach_messages_to_case(case=case, messages=[last])

    assert any("ha respondido" in text and case.reference in text for text in told(agent))


def test_a_handoff_request_reaches_staff_who_asked(town, channel):
    wants = staff_on_phone(town, channel, [Event.HANDOFF])
    resident = Resident(channel, name="Pere")
    resident.accept_notice()

    resident.send("Quiero hablar con una persona")
    resident.send("Es sobre una multa")  # still waiting: told once

    assert len(told(wants)) == 1
    assert f"/inbox/conversations/{resident.conversation.pk}/" in told(wants)[0]


def test_email_notifications(
    town, channel, mailoutbox, django_capture_on_commit_callbacks, immediate_tasks
):
    user = make_staff(council=town.council, departments=(town.urbanos,))
    user.email = "ana@example.org"
    user.save()
    services.set_preference(
        user=user, via=NotificationPreference.Via.EMAIL, events=[Event.NEW_IN_DEPARTMENT]
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(category=town.alumbrado)
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    assert case.reference in mailoutbox[0].body


def test_at_risk_and_overdue_are_told_once_each(town, channel, settings):
    settings.AT_RISK_MARGIN_HOURS = 24
    agent = staff_on_phone(town, channel, [Event.AT_RISK, Event.OVERDUE])
    case = make_case(category=town.alumbrado)
    assign_case(case=case, agent=agent)
    hour = dt.timedelta(hours=1)

    assert notify_deadlines(now=case.due_at - 25 * hour) == 0
    assert notify_deadlines(now=case.due_at - 23 * hour) == 1
    assert notify_deadlines(now=case.due_at - 22 * hour) == 0  # told already
    assert notify_deadlines(now=case.due_at + hour) == 1

    texts = [t for t in told(agent) if case.reference in t and "assigned" not in t]
    # staff are told in their council's language (Spanish here)
    assert [("vence pronto" in t, "ha vencido" in t) for t in texts] == [
        (True, False),
        (False, True),
    ]
