"""The outbound dispatcher: batches claimed replies first, one token bucket per channel, and a
provider outage ridden out without hammering the provider or giving up on a message."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels import services as channel_services
from ventanilla.channels.models import Channel, ChannelThrottle
from ventanilla.channels.services import (
    bucket_capacity,
    give_back_send_tokens,
    pause_sending,
    take_send_tokens,
)
from ventanilla.conversations.delivery import claim_due
from ventanilla.conversations.delivery_tasks import MAX_SEND_ATTEMPTS
from ventanilla.conversations.models import DeliveryStatus, Message
from ventanilla.conversations.services import (
    BulkOutbound,
    conversation_for,
    queue_outbound,
    queue_outbound_bulk,
    release_bulk,
)
from ventanilla.fakes.tests.harness import SECRETS, run_tasks

LEASE = dt.timedelta(seconds=60)


def telegram_channel(*, api_base: str = "http://127.0.0.1:9/telegram", rate: float = 0) -> Channel:
    """Return a Telegram channel sending at ``rate`` per second (0: unlimited)."""
    channel = channel_services.create_channel(
        council=make_council(),
        provider="telegram",
        name="Telegram",
        secrets=SECRETS["telegram"],
        api_base=api_base,
    )
    Channel.objects.filter(pk=channel.pk).update(rate_per_second=rate)
    channel.refresh_from_db()
    return channel


def bulk_messages(channel: Channel, count: int) -> list[int]:
    """Queue a broadcast's messages to ``count`` residents, held back as a broadcast does."""
    items = [
        BulkOutbound(
            conversation_id=conversation_for(channel=channel, urn=f"telegram:{800000 + n}").pk,
            channel_id=channel.pk,
            council_id=channel.council_id,
            text=f"Corte de agua {n}",
        )
        for n in range(count)
    ]
    return queue_outbound_bulk(items=items)


# -- replies before bulk ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_batch_takes_replies_to_residents_before_a_broadcast_queued_earlier() -> None:
    channel = telegram_channel()
    broadcast = bulk_messages(channel, 5)
    release_bulk(message_ids=broadcast)
    replies = [
        queue_outbound(
            conversation=conversation_for(channel=channel, urn=f"telegram:{900000 + n}"),
            text=f"Recibido {n}",
        ).pk
        for n in range(3)
    ]

    first = claim_due(channel=channel, limit=4, lease=LEASE)
    rest = claim_due(channel=channel, limit=10, lease=LEASE)

    assert [m.pk for m in first] == [*replies, broadcast[0]]
    assert [m.pk for m in rest] == broadcast[1:]
    assert claim_due(channel=channel, limit=10, lease=LEASE) == []  # all held by us
    assert {m.attempts for m in first + rest} == {1}


@pytest.mark.django_db
def test_a_second_dispatcher_leaves_a_resident_whose_earlier_message_is_being_sent() -> None:
    channel = telegram_channel()
    lucia = conversation_for(channel=channel, urn="telegram:900100")
    pablo = conversation_for(channel=channel, urn="telegram:900200")
    first = queue_outbound(conversation=lucia, text="Su incidencia es 2026-000001").pk
    second = queue_outbound(conversation=lucia, text="Le atiende Ana.").pk
    other = queue_outbound(conversation=pablo, text="Recibido").pk

    [taken] = claim_due(channel=channel, limit=1, lease=LEASE)  # one dispatcher, mid-send
    beside = claim_due(channel=channel, limit=10, lease=LEASE)  # another one at once

    assert taken.pk == first
    assert [m.pk for m in beside] == [other]  # Lucía's second waits for her first
    Message.objects.filter(pk=first).update(status=DeliveryStatus.SENT)
    assert [m.pk for m in claim_due(channel=channel, limit=10, lease=LEASE)] == [second]


@pytest.mark.django_db
def test_a_broadcast_sends_nothing_until_it_releases_its_messages() -> None:
    channel = telegram_channel()
    held = bulk_messages(channel, 3)

    assert claim_due(channel=channel, limit=10, lease=LEASE) == []
    release_bulk(message_ids=held[:2])
    assert [m.pk for m in claim_due(channel=channel, limit=10, lease=LEASE)] == held[:2]


@pytest.mark.django_db
def test_a_message_whose_sender_died_is_claimed_again_when_its_lease_ends() -> None:
    channel = telegram_channel()
    reply = queue_outbound(
        conversation=conversation_for(channel=channel, urn="telegram:900001"), text="Recibido"
    )
    [claimed] = claim_due(channel=channel, limit=10, lease=LEASE)  # and the worker dies

    assert claim_due(channel=channel, limit=10, lease=LEASE) == []
    later = timezone.now() + LEASE + dt.timedelta(seconds=1)
    [again] = claim_due(channel=channel, limit=10, lease=LEASE, now=later)

    assert again.pk == claimed.pk == reply.pk
    assert again.attempts == 2  # the same idempotency key, one more attempt counted


# -- the token bucket ------------------------------------------------------------------

T0 = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_the_bucket_grants_a_burst_then_refills_at_the_rate() -> None:
    channel = telegram_channel(rate=80)
    burst = int(bucket_capacity(80))  # half a second of the rate

    assert take_send_tokens(channel=channel, wanted=100, now=at(0)).count == burst
    empty = take_send_tokens(channel=channel, wanted=100, now=at(0))
    quarter = take_send_tokens(channel=channel, wanted=100, now=at(0.25))
    idle = take_send_tokens(channel=channel, wanted=100, now=at(60))  # capped at the burst

    assert (empty.count, empty.wait) == (0, pytest.approx(0.1))  # a tenth of a second's worth
    assert quarter.count == 20
    assert idle.count == burst


@pytest.mark.django_db
def test_two_workers_sharing_the_bucket_get_the_rate_between_them() -> None:
    channel = telegram_channel(rate=80)
    take_send_tokens(channel=channel, wanted=1000, now=at(0))  # the burst is gone
    granted = {"a": 0, "b": 0}
    for step in range(1, 101):  # ten seconds, each worker asking every 0.1 s in turn
        for worker in ("a", "b"):
            granted[worker] += take_send_tokens(channel=channel, wanted=7, now=at(step / 10)).count

    assert sum(granted.values()) == 800  # 80 per second for 10 s, not 2 x 70
    assert granted["a"] > 0 and granted["b"] > 0


@pytest.mark.django_db
def test_unused_tokens_are_given_back_and_an_unlimited_channel_is_never_held() -> None:
    channel = telegram_channel(rate=10)
    assert take_send_tokens(channel=channel, wanted=5, now=at(0)).count == 5
    give_back_send_tokens(channel=channel, count=3)
    assert ChannelThrottle.objects.get(channel=channel).tokens == 3

    unlimited = telegram_channel(rate=0)
    assert take_send_tokens(channel=unlimited, wanted=500).count == 500


@pytest.mark.django_db
def test_a_paused_channel_sends_nothing_then_probes_one_message_at_a_time() -> None:
    channel = telegram_channel(rate=0)
    pause_sending(channel=channel, seconds=10, failed=True)

    paused = take_send_tokens(channel=channel, wanted=100)
    later = take_send_tokens(
        channel=channel, wanted=100, now=timezone.now() + dt.timedelta(seconds=11)
    )
    channel_services.sending_recovered(channel=channel)
    recovered = take_send_tokens(
        channel=channel, wanted=100, now=timezone.now() + dt.timedelta(seconds=11)
    )

    assert paused.count == 0 and 9 < paused.wait <= 10
    assert (later.count, later.failures) == (1, 1)
    assert recovered.count == 100


# -- a provider outage -----------------------------------------------------------------


class Provider(BaseHTTPRequestHandler):
    """Telegram's sendMessage, switched by the test: "down" (500), "busy" (429), "up"."""

    mode = "up"
    calls: list[tuple[float, str, int]] = []  # (time, mode, status)
    lock = threading.Lock()
    sent = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        cls = type(self)
        with cls.lock:
            mode = cls.mode
            if mode == "down":
                status, body = 500, {"ok": False, "error_code": 500, "description": "Internal"}
            elif mode == "busy":
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 10",
                    "parameters": {"retry_after": 10},
                }
                status = 429
            else:
                cls.sent += 1
                status = 200
                body = {"ok": True, "result": {"message_id": cls.sent, "chat": {"id": 1}}}
            cls.calls.append((time.time(), mode, status))
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # a batch connects at once


@pytest.fixture
def provider() -> Iterator[str]:
    server = Server(("127.0.0.1", 0), Provider)
    Provider.mode, Provider.calls, Provider.sent = "up", [], 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/telegram"
    server.shutdown()


@pytest.mark.django_db(transaction=True)
def test_a_provider_outage_of_a_minute_is_ridden_out_without_hammering_it(provider: str) -> None:
    """500s for 30 s, then 429 with Retry-After for 30 s, then up: everything is delivered."""
    channel = telegram_channel(api_base=provider)
    chats = [conversation_for(channel=channel, urn=f"telegram:{700000 + n}") for n in range(30)]
    Provider.mode = "down"
    for n, chat in enumerate(chats):
        queue_outbound(conversation=chat, text=f"Recibido {n}")
    start = timezone.now()

    clock = start
    while clock < start + dt.timedelta(minutes=4):  # the installation's clock, by seconds
        elapsed = (clock - start).total_seconds()
        Provider.mode = "down" if elapsed < 30 else "busy" if elapsed < 60 else "up"
        with time_machine.travel(clock, tick=True):
            run_tasks()
            clock = timezone.now() + dt.timedelta(seconds=1)
        if not Message.objects.filter(status=DeliveryStatus.QUEUED).exists():
            break

    messages = list(Message.objects.filter(channel=channel, direction="out"))
    assert {m.status for m in messages} == {DeliveryStatus.SENT}  # none given up on
    assert max(m.attempts for m in messages) < MAX_SEND_ATTEMPTS
    outage = [call for call in Provider.calls if call[1] != "up"]
    # the first batch went out before anyone knew; then probes, not 30 messages retried
    # over and over (about 150 calls)
    assert 30 < len(outage) <= 30 + 12
    busy = [t for t, mode, _ in Provider.calls if mode == "busy"]
    assert all(b - a >= 9.5 for a, b in zip(busy, busy[1:], strict=False))  # Retry-After kept
    assert Provider.sent == len(messages) == 30  # each delivered once
