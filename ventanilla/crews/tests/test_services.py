"""Crews' services without the providers: codes, answers, what "done" does to a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ventanilla.cases.models import Role
from ventanilla.cases.services import assign_case
from ventanilla.cases.tests.factories import make_case, make_staff
from ventanilla.cases.workflow import Status
from ventanilla.channels.adapters.base import InboundMessage
from ventanilla.conversations.tests.chat import make_channel, make_town
from ventanilla.crews import services, tasks
from ventanilla.crews.models import ClosureRule, StaffIdentity, StaffMessage, WorkOrder
from ventanilla.crews.tests.factories import make_crew, make_identity

pytestmark = pytest.mark.django_db


@pytest.fixture
def town():
    return make_town()


@pytest.fixture
def channel(town):
    return make_channel(town.council, "telegram")


@pytest.mark.parametrize(
    ("text", "kind", "rest"),
    [
        ("En camino", "on_the_way", ""),
        ("de camí!", "on_the_way", ""),
        ("Hecho, cambiada la bombilla", "done", "cambiada la bombilla"),
        ("fet 2026-000001 tot bé", "done", "tot bé"),
        ("DONE.", "done", ""),
        ("No es nuestro: es de Aguas", "not_ours", "es de Aguas"),
        ("no és nostre, és de la Diputació", "not_ours", "és de la Diputació"),
        ("not ours", "not_ours", ""),
        ("hechos consumados", "", "hechos consumados"),
        ("Hola", "", "Hola"),
    ],
)
def test_a_crews_answer_is_read_in_spanish_catalan_and_english(text, kind, rest):
    assert services.read_answer(text) == services.Answer(kind, rest)


def inbound(urn: str, text: str, n: int = 1) -> InboundMessage:
    return InboundMessage(provider_message_id=f"m{n}-{urn}", urn=urn, text=text)


def test_a_code_links_once_and_expires(town, channel):
    agent = make_staff(council=town.council)
    code = services.create_link_code(council=town.council, user=agent)

    assert services.claim_inbounds(channel, [inbound("telegram:5551", f"vincular {code.code}")])
    assert StaffIdentity.objects.get().user == agent
    # used: a second phone sending the same code is a resident like any other
    assert not services.claim_inbounds(channel, [inbound("telegram:5552", f"VINCULAR {code.code}")])
    late = services.create_link_code(council=town.council, user=agent)
    late.expires_at = timezone.now() - dt.timedelta(seconds=1)
    late.save()
    assert not services.claim_inbounds(channel, [inbound("telegram:5553", f"link {late.code}")])
    assert StaffIdentity.objects.count() == 1


def order_for(town, channel, **rule):
    case = make_case(category=town.alumbrado)
    assign_case(case=case, agent=make_staff(council=town.council, departments=(town.urbanos,)))
    supervisor = make_staff(council=town.council, role=Role.SUPERVISOR)
    make_identity(channel=channel, user=supervisor)
    crew = make_crew(council=town.council, supervisor=supervisor)
    identity = make_identity(channel=channel, crew=crew)
    if rule:
        services.set_closure_rule(category=town.alumbrado, **rule)
    order = services.send_work_order(case=case, crew=crew, by=None)
    return case, identity, order, supervisor


def test_done_waits_for_a_supervisors_check_where_the_category_says_so(town, channel):
    case, identity, order, supervisor = order_for(town, channel, on_done=ClosureRule.OnDone.CHECK)

    services.complete_work_order(
        work_order=order, identity=identity, photo=b"\x89PNG", content_type="image/png"
    )

    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS
    assert "supervisor" in case.notes.last().text
    told = StaffMessage.objects.filter(identity__user=supervisor).values_list("text", flat=True)
    assert any("please check" in text for text in told)


def test_done_without_a_photo_asks_for_one(town, channel):
    case, identity, order, _ = order_for(town, channel)
    services.record_staff_inbound(identity=identity, inbound=inbound(identity.urn, "hecho"))
    message = StaffMessage.objects.get(direction="in")

    assert tasks.handle_staff_message.call(message.pk) == "no_photo"

    case.refresh_from_db()
    assert case.status != Status.RESOLVED
    assert WorkOrder.objects.get().state == WorkOrder.State.SENT
    assert "foto" in StaffMessage.objects.filter(direction="out").last().text  # in Spanish


def test_a_work_order_needs_an_open_case_and_a_linked_phone(town, channel):
    case = make_case(category=town.alumbrado)
    silent = make_crew(council=town.council)
    with pytest.raises(services.CrewError):
        services.send_work_order(case=case, crew=silent, by=None)
    other = make_crew(council=make_town().council)
    make_identity(channel=make_channel(other.council, "telegram"), crew=other)
    with pytest.raises(services.CrewError):
        services.send_work_order(case=case, crew=other, by=None)
    assert not WorkOrder.objects.exists()


def test_a_residents_message_costs_one_query_to_tell_from_staff(channel, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert not services.claim_inbounds(channel, [inbound("telegram:5559", "Hola")])
    with django_assert_num_queries(4):  # the identity, then the code (in a savepoint)
        assert not services.claim_inbounds(channel, [inbound("telegram:5559", "VINCULAR 000000")])


def test_a_read_receipt_that_beat_the_send_is_applied(town, channel, monkeypatch):
    from ventanilla.channels.adapters.base import SendResult, StatusUpdate
    from ventanilla.channels.services import keep_pending_statuses

    identity = make_identity(channel=channel, crew=make_crew(council=town.council))
    message = services.queue_staff_message(identity=identity, text="Reunión")
    # the phone's "read" arrived before the provider answered the send: nobody had the id
    assert not services.claim_statuses(channel, [StatusUpdate("tg-1", "read")])
    keep_pending_statuses(channel=channel, updates=[StatusUpdate("tg-1", "read")])

    class Sends:
        def send(self, client, outbound):
            return SendResult(provider_message_id="tg-1")

    monkeypatch.setattr(tasks, "adapter_for", lambda channel: Sends())
    tasks.send_staff_message.call(message.pk)

    message.refresh_from_db()
    assert (message.status, message.read_at is not None) == ("read", True)
