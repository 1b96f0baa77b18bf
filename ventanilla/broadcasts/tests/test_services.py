"""Broadcasts' rules: four eyes, the estimate, replies before broadcasts, pause and cancel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from ventanilla.broadcasts import estimate, services, tasks
from ventanilla.broadcasts.models import Recipient, Source, Status
from ventanilla.broadcasts.selectors import progress
from ventanilla.broadcasts.tests.factories import make_supervisors, make_traffic
from ventanilla.cases.tests.factories import make_council
from ventanilla.channels.models import Channel
from ventanilla.conversations.delivery import claim_due
from ventanilla.conversations.delivery_tasks import dispatch_channel
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import conversation_for, queue_outbound, release_bulk

pytestmark = pytest.mark.django_db


def channel(council, provider="telegram", rate=80.0, **options):
    row = Channel(council=council, provider=provider, name=provider, rate_per_second=rate)
    row.options = options
    row.api_base = "http://127.0.0.1:9"
    row.save()
    return row


def subscribers(topic, chan, n, *, inside_window=True):
    for i in range(n):
        number = f"34600{chan.pk % 100:02d}{i:04d}"
        urn = f"whatsapp:{number}" if chan.provider == "whatsapp" else f"tel:+{number}"
        conversation = conversation_for(channel=chan, urn=urn)
        if inside_window:
            conversation.last_inbound_at = timezone.now()
            conversation.save()
        services.subscribe(topic=topic, conversation=conversation, source=Source.IMPORT, notice="")


@pytest.fixture
def council():
    return make_council()


@pytest.fixture
def topic(council):
    return make_traffic(council)


def test_the_author_cannot_approve_and_nothing_is_sent_unapproved(council, topic):
    ana, bernat = make_supervisors(council)
    row = services.create_broadcast(topic=topic, texts={"es": "Aviso"}, by=ana)

    with pytest.raises(services.BroadcastError, match="approve"):
        services.send(broadcast=row)
    with pytest.raises(services.ApprovalError, match="someone other than its author"):
        services.approve(broadcast=row, by=ana)
    assert Message.objects.count() == 0

    services.approve(broadcast=row, by=bernat)
    with pytest.raises(services.ApprovalError):
        services.approve(broadcast=row, by=bernat)  # once only


def test_a_channel_at_80_per_second_takes_1250_seconds_for_100000(council):
    sms = channel(council, "twilio", rate=80)
    assert estimate.channel_time(channel=sms, messages=100_000, templates=0) == (1250.0, 0)


def test_beyond_the_whatsapp_limit_the_broadcast_spreads_over_days(council):
    whatsapp = channel(council, "whatsapp", rate=80, messaging_limit=2000)
    seconds, days = estimate.channel_time(channel=whatsapp, messages=5000, templates=5000)
    # 2,000 today, 2,000 tomorrow, the last 1,000 the day after: 2 days and 1,000 / 80 s
    assert days == 2
    assert seconds == 2 * 86400 + 1000 / 80
    unlimited = channel(council, "whatsapp", rate=80, messaging_limit=0)
    assert estimate.channel_time(channel=unlimited, messages=5000, templates=5000)[1] == 0
    assert estimate.messaging_limit(channel(council, "whatsapp")) == 250  # Meta's start


def test_the_plan_counts_recipients_cost_and_time_per_channel(council, topic):
    ana, _ = make_supervisors(council)
    sms = channel(council, "twilio", rate=10)
    whatsapp = channel(council, "whatsapp", rate=20, messaging_limit=250)
    subscribers(topic, sms, 3)
    subscribers(topic, whatsapp, 4, inside_window=False)
    text = "Corte de agua mañana de 8 a 14 h en la calle Mayor"  # GSM-7, 1 segment
    row = services.create_broadcast(topic=topic, texts={"es": text}, by=ana, template_name="aviso")

    plan = estimate.plan(row, services.recipients_query(row))

    by_channel = {p.channel: p for p in plan.channels}
    assert (by_channel[sms].recipients, by_channel[sms].segments) == (3, 3)
    assert by_channel[sms].cost == Decimal("0.1500")  # 3 segments × 0.05 €
    assert (by_channel[whatsapp].templates, by_channel[whatsapp].cost) == (4, Decimal("0.0800"))
    assert plan.recipients == 7
    assert plan.seconds == pytest.approx(0.3)


def test_a_reply_goes_before_a_broadcast_released_earlier(council, topic, monkeypatch):
    ana, bernat = make_supervisors(council)
    sms = channel(council, "twilio", rate=1)  # one message a second
    subscribers(topic, sms, 3)
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    row = services.create_broadcast(topic=topic, texts={"es": "Aviso"}, by=ana)
    services.approve(broadcast=row, by=bernat)
    services.send(broadcast=row)
    release_bulk(message_ids=list(Recipient.objects.values_list("message_id", flat=True)))
    chat = conversation_for(channel=sms, urn="tel:+34600999999")
    reply = queue_outbound(conversation=chat, text="Recibido")

    [first] = claim_due(channel=sms, limit=1, lease=dt.timedelta(minutes=1))

    assert first.pk == reply.pk
    # the release runs below every dispatcher of replies
    assert tasks.dispatch.priority < dispatch_channel.priority


def test_pause_and_cancel(council, topic, immediate_tasks, monkeypatch):
    ana, bernat = make_supervisors(council)
    sms = channel(council, "twilio")
    subscribers(topic, sms, 3)
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)  # nothing goes out
    row = services.create_broadcast(topic=topic, texts={"es": "Aviso"}, by=ana)
    services.approve(broadcast=row, by=bernat)
    row = services.send(broadcast=row)
    assert (row.status, row.recipients) == (Status.SENDING, 3)
    assert progress(row).totals["queued"] == 3

    row = services.pause(broadcast=row)
    tasks.dispatch.call(row.pk, sms.pk)
    assert progress(row).totals["queued"] == 3  # paused: nothing sent

    row = services.cancel(broadcast=row)
    assert row.status == Status.CANCELLED
    assert progress(row).totals == {"queued": 0, "sent": 0, "delivered": 0, "read": 0, "failed": 3}
    assert Recipient.objects.filter(broadcast=row).count() == 3


def test_a_scheduled_broadcast_waits_for_its_time(council, topic, monkeypatch):
    ana, bernat = make_supervisors(council)
    subscribers(topic, channel(council, "twilio"), 2)
    later = timezone.now() + dt.timedelta(hours=2)
    row = services.create_broadcast(topic=topic, texts={"es": "Aviso"}, by=ana, scheduled_for=later)
    services.approve(broadcast=row, by=bernat)

    row = services.send(broadcast=row)

    assert row.status == Status.SCHEDULED and Message.objects.count() == 0
    monkeypatch.setattr(services, "start_dispatch", lambda **kwargs: None)
    assert services.start_scheduled(broadcast_id=row.pk).status == Status.SENDING
    assert Message.objects.count() == 2
