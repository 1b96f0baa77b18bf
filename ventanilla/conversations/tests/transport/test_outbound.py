"""Ventanilla answers a resident: the send task, the provider's format, statuses, retries."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
from typing import Any
from urllib.parse import parse_qs

import pytest
import time_machine
from django.db import connection
from django.utils import timezone, translation

from ventanilla.channels import services as channel_services
from ventanilla.channels.adapters.base import Choice
from ventanilla.channels.models import PendingStatus
from ventanilla.channels.policy import OutboundRefused
from ventanilla.channels.services import bucket_capacity
from ventanilla.conversations import delivery_tasks
from ventanilla.conversations.delivery_tasks import (
    MAX_SEND_ATTEMPTS,
    idempotency_key,
    retry_delay,
    send_message,
)
from ventanilla.conversations.models import Conversation, DeliveryStatus, Message
from ventanilla.conversations.services import queue_outbound
from ventanilla.fakes.line import line_user_id
from ventanilla.fakes.tests.harness import (
    PROVIDERS,
    SECRETS,
    Fakes,
    conversation,
    run_tasks,
    waiting_sends,
)

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = "¿Se ha resuelto?"
CHOICES = [Choice("yes", "Sí"), Choice("no", "No")]


def talking(fakes: Fakes, provider: str, **channel_options: Any) -> Conversation:
    """Return a conversation the resident opened by writing first."""
    channel = fakes.channel(provider, **channel_options)
    fakes.resident_says(channel, text="Hola")
    return conversation(channel)


def sends(fakes: Fakes, provider: str) -> list[dict[str, Any]]:
    """Return the calls that sent a message (not downloads, not callback answers)."""
    markers = ("/messages", "/sendMessage", "/message/push", "/message/reply", "Messages.json")
    return [
        c
        for c in fakes.calls(provider)
        if c["method"] == "POST" and any(c["path"].endswith(m) for m in markers)
    ]


def reload(message: Message) -> Message:
    message.refresh_from_db()
    return message


# -- the provider's exact format -------------------------------------------------------


def expected_call(provider: str, fakes: Fakes, message: Message) -> dict[str, Any]:
    secrets = SECRETS[provider]
    if provider == "whatsapp":
        return {
            "path": f"/v21.0/{secrets['phone_number_id']}/messages",
            "authorization": f"Bearer {secrets['access_token']}",
            "json": {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": "34600111222",
                "type": "interactive",
                "interactive": {
                    "type": "button",
                    "body": {"text": QUESTION},
                    "action": {
                        "buttons": [
                            {"type": "reply", "reply": {"id": "yes", "title": "Sí"}},
                            {"type": "reply", "reply": {"id": "no", "title": "No"}},
                        ]
                    },
                },
            },
        }
    if provider == "telegram":
        return {
            "path": f"/bot{secrets['bot_token']}/sendMessage",
            "json": {
                "chat_id": 123456789,
                "text": QUESTION,
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": "Sí", "callback_data": "yes"}],
                        [{"text": "No", "callback_data": "no"}],
                    ]
                },
            },
        }
    if provider == "line":
        quick = [
            {
                "type": "action",
                "action": {"type": "postback", "label": label, "data": id_, "displayText": label},
            }
            for id_, label in (("yes", "Sí"), ("no", "No"))
        ]
        return {
            "path": "/v2/bot/message/push",
            "authorization": f"Bearer {secrets['access_token']}",
            "x-line-retry-key": idempotency_key(message.pk),
            "json": {
                "to": line_user_id("vecina-lucia"),
                "messages": [{"type": "text", "text": QUESTION, "quickReply": {"items": quick}}],
            },
        }
    basic = base64.b64encode(f"{secrets['account_sid']}:{secrets['auth_token']}".encode())
    return {
        "path": f"/2010-04-01/Accounts/{secrets['account_sid']}/Messages.json",
        "authorization": f"Basic {basic.decode()}",
        "form": {
            "To": "+34600111222",
            "From": "+34910000000",
            "Body": f"{QUESTION}\n1. Sí\n2. No",
            "StatusCallback": fakes.live_url + message.channel.webhook_path,
        },
    }


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_reply_reaches_the_provider_in_its_exact_format(provider: str, fakes: Fakes) -> None:
    chat = talking(fakes, provider)

    message = queue_outbound(conversation=chat, text=QUESTION, choices=CHOICES)
    assert message.status == DeliveryStatus.QUEUED
    run_tasks()

    [call] = sends(fakes, provider)
    expected = expected_call(provider, fakes, message)
    assert call["path"] == expected["path"]
    for header in ("authorization", "x-line-retry-key"):
        if header in expected:
            assert call["headers"][header] == expected[header]
    if "json" in expected:
        assert json.loads(call["body"]) == expected["json"]
    else:
        form = {k: v[-1] for k, v in parse_qs(call["body"]).items()}
        assert form == expected["form"]
    message = reload(message)
    assert message.status == DeliveryStatus.SENT
    assert message.provider_message_id
    assert message.sent_at is not None
    assert message.attempts == 1


# -- statuses --------------------------------------------------------------------------

FINAL_STATUS = {"whatsapp": DeliveryStatus.READ, "twilio": DeliveryStatus.DELIVERED}


@pytest.mark.parametrize("provider", list(FINAL_STATUS))
def test_statuses_move_the_message_to_delivered_and_read(provider: str, fakes: Fakes) -> None:
    message = queue_outbound(conversation=talking(fakes, provider), text="Recibido")
    run_tasks()

    assert set(fakes.flush()) == {200}

    message = reload(message)
    assert message.status == FINAL_STATUS[provider]
    assert message.delivered_at is not None
    if provider == "whatsapp":
        assert message.read_at is not None


@pytest.mark.parametrize("provider", list(FINAL_STATUS))
def test_a_late_status_never_undoes_a_later_one(provider: str, fakes: Fakes) -> None:
    message = queue_outbound(conversation=talking(fakes, provider), text="Recibido")
    run_tasks()

    fakes.flush(order=lambda deliveries: deliveries[::-1])  # "read" first, "sent" last

    message = reload(message)
    assert message.status == FINAL_STATUS[provider]
    assert message.delivered_at is not None


@pytest.mark.parametrize("provider", list(FINAL_STATUS))
def test_a_status_that_arrives_before_the_send_returned_is_applied(
    provider: str, fakes: Fakes, monkeypatch: Any
) -> None:
    chat = talking(fakes, provider)
    early: list[str] = []
    keep = channel_services.keep_pending_statuses

    def kept(*, channel: Any, updates: Any) -> None:
        early.extend(update.status for update in updates)
        keep(channel=channel, updates=updates)

    monkeypatch.setattr(channel_services, "keep_pending_statuses", kept)
    # The fake now delivers its statuses before it answers the send call.
    monkeypatch.setattr(
        fakes.hub, "deliver_later", lambda ds, delay: [fakes.hub.deliver(d) for d in ds]
    )
    message = queue_outbound(conversation=chat, text="Recibido")
    run_tasks()

    assert early  # they did arrive before the provider id was known
    message = reload(message)
    assert message.status == FINAL_STATUS[provider]
    assert not PendingStatus.objects.exists()


def test_whatsapp_window_error_after_the_send_marks_the_message_failed(fakes: Fakes) -> None:
    """Meta accepts the send, then reports 131047 in a ``failed`` status."""
    chat = talking(fakes, "whatsapp")
    message = queue_outbound(conversation=chat, text="¿Sigue ahí?")
    run_tasks()
    fakes.held.clear()
    fake = fakes.hub.providers["whatsapp"]
    failed = {
        "id": reload(message).provider_message_id,
        "status": "failed",
        "timestamp": "1767313000",
        "recipient_id": "34600111222",
        "errors": [{"code": 131047, "title": "Re-engagement message"}],
    }
    channel = fakes.fake_channel(message.channel)
    delivery = fake.signed(channel, fake.envelope(channel, {"statuses": [failed]}))

    assert fakes.post(delivery).status_code == 200

    message = reload(message)
    assert message.status == DeliveryStatus.FAILED
    assert (message.error_code, message.error_reason) == ("131047", "Re-engagement message")


# -- retries and failures --------------------------------------------------------------

THROTTLED = {
    "whatsapp": (
        {
            "error": {
                "message": "(#130429) Rate limit hit",
                "type": "OAuthException",
                "code": 130429,
            }
        },
        {"Retry-After": "7"},
    ),
    "telegram": (
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        },
        {},
    ),
    "line": (
        {"message": "The API rate limit has been exceeded. Try again later."},
        {"Retry-After": "7"},
    ),
    "twilio": (
        {"code": 20429, "message": "Too Many Requests", "status": 429},
        {"Retry-After": "7"},
    ),
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_429_is_retried_after_the_delay_the_provider_gave(provider: str, fakes: Fakes) -> None:
    message = queue_outbound(conversation=talking(fakes, provider), text="Recibido")
    body, headers = THROTTLED[provider]
    fakes.fault(provider, 429, body, headers)

    before = timezone.now()
    run_tasks()
    after = timezone.now()

    message = reload(message)
    assert message.status == DeliveryStatus.QUEUED
    assert message.attempts == 1
    [retry] = waiting_sends()
    assert before + dt.timedelta(seconds=7) <= retry.run_after <= after + dt.timedelta(seconds=7)
    run_tasks()  # nothing is due before then: the channel waits
    assert len(sends(fakes, provider)) == 1

    with time_machine.travel(retry.run_after + dt.timedelta(milliseconds=5), tick=True):
        run_tasks()

    message = reload(message)
    assert message.status == DeliveryStatus.SENT
    assert (message.attempts, message.error_code) == (2, "")
    assert len(sends(fakes, provider)) == 2


PERMANENT = {
    "whatsapp": (
        400,
        {
            "error": {
                "message": "(#131026) Message undeliverable",
                "type": "OAuthException",
                "code": 131026,
                "error_data": {"messaging_product": "whatsapp", "details": "Undeliverable"},
            }
        },
        "131026",
        "Message undeliverable",
        False,
    ),
    "telegram": (
        403,
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
        "403",
        "bot was blocked by the user",
        True,
    ),
    "line": (
        400,
        {"message": "The property, 'to', in the request body is invalid (line: -, column: -)"},
        "400",
        "'to', in the request body is invalid",
        False,
    ),
    "twilio": (
        400,
        {"code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400},
        "21610",
        "Attempt to send to unsubscribed recipient",
        True,
    ),
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_permanent_error_marks_the_message_failed_with_the_reason(
    provider: str, fakes: Fakes
) -> None:
    chat = talking(fakes, provider)
    message = queue_outbound(conversation=chat, text="Recibido")
    status, body, code, reason, stopped = PERMANENT[provider]
    fakes.fault(provider, status, body)

    run_tasks()

    message = reload(message)
    assert message.status == DeliveryStatus.FAILED
    assert message.error_code == code
    assert reason in message.error_reason
    assert not waiting_sends()  # not retried
    assert len(sends(fakes, provider)) == 1
    chat.citizen.refresh_from_db()
    assert chat.citizen.opted_out is stopped


def test_a_server_error_is_retried_with_backoff_and_then_given_up(fakes: Fakes) -> None:
    message = queue_outbound(conversation=talking(fakes, "twilio"), text="Recibido")
    fakes.fault("twilio", 500, {"code": 20500, "message": "Internal Server Error"}, times=2)

    before = timezone.now()
    run_tasks()

    [retry] = waiting_sends()
    assert before + dt.timedelta(seconds=2) <= retry.run_after
    assert retry.run_after <= timezone.now() + dt.timedelta(seconds=2.5)
    Message.objects.filter(pk=message.pk).update(attempts=MAX_SEND_ATTEMPTS - 1)
    with time_machine.travel(retry.run_after + dt.timedelta(seconds=3), tick=True):
        run_tasks()

    message = reload(message)
    assert message.status == DeliveryStatus.FAILED
    assert message.error_code == "20500"
    assert not waiting_sends()


def test_a_resident_s_later_message_waits_for_an_earlier_one_being_retried(fakes: Fakes) -> None:
    """The resident reads "received" before "resolved", even when "received" failed once."""
    chat = talking(fakes, "twilio")
    first = queue_outbound(conversation=chat, text="Hemos recibido su aviso")
    second = queue_outbound(conversation=chat, text="Su aviso se ha resuelto")
    fakes.fault("twilio", 500, {"code": 20500, "message": "Internal Server Error"}, times=1)

    run_tasks()
    third = queue_outbound(conversation=chat, text="¿Está satisfecho?")  # after the failure
    run_tasks()

    assert [reload(m).status for m in (first, second, third)] == [DeliveryStatus.QUEUED] * 3
    assert len(sends(fakes, "twilio")) == 1  # only the failed try: nothing overtook it
    assert reload(second).attempts == 0  # held back, not counted as tried
    [retry] = waiting_sends()
    with time_machine.travel(retry.run_after + dt.timedelta(seconds=3), tick=True):
        run_tasks()

    assert [reload(m).status for m in (first, second, third)] == [DeliveryStatus.SENT] * 3
    texts = [parse_qs(call["body"])["Body"][0] for call in sends(fakes, "twilio")[1:]]
    assert texts == [first.text, second.text, third.text]


@pytest.mark.parametrize(
    ("attempt", "low", "high"), [(1, 2, 2.5), (2, 4, 5), (5, 32, 40), (12, 600, 600)]
)
def test_backoff_doubles_with_jitter_up_to_ten_minutes(attempt: int, low: float, high: float):
    delays = [retry_delay(attempt) for _ in range(50)]
    assert all(low <= delay <= high for delay in delays)
    assert retry_delay(attempt, retry_after=30) == 30


def test_a_message_already_sent_is_not_sent_again(fakes: Fakes) -> None:
    message = queue_outbound(conversation=talking(fakes, "whatsapp"), text="Recibido")
    run_tasks()

    send_message.enqueue(message.pk)  # a duplicate task
    run_tasks()

    assert len(sends(fakes, "whatsapp")) == 1


# -- WhatsApp's 24-hour window ---------------------------------------------------------


def test_whatsapp_refuses_free_text_25_hours_after_the_resident_wrote(fakes: Fakes) -> None:
    chat = talking(fakes, "whatsapp")
    Conversation.objects.filter(pk=chat.pk).update(
        last_inbound_at=timezone.now() - dt.timedelta(hours=25)
    )
    chat.refresh_from_db()

    with translation.override("en"), pytest.raises(OutboundRefused, match="template"):
        queue_outbound(conversation=chat, text="¿Sigue ahí?")

    assert not Message.objects.filter(conversation=chat, direction="out").exists()

    template = {"name": "case_update", "language": "es", "parameters": ["2026-000123"]}
    message = queue_outbound(conversation=chat, template=template)
    run_tasks()

    [call] = sends(fakes, "whatsapp")
    assert json.loads(call["body"])["template"] == {
        "name": "case_update",
        "language": {"policy": "deterministic", "code": "es"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "2026-000123"}]}],
    }
    assert reload(message).status == DeliveryStatus.SENT


# -- the channel's rate ----------------------------------------------------------------


def test_messages_are_not_sent_faster_than_the_channel_rate(fakes: Fakes) -> None:
    """Four messages at one per second: one goes now, the others a second apart."""
    chat = talking(fakes, "twilio", rate=1)
    messages = [queue_outbound(conversation=chat, text=f"Aviso {n}") for n in range(4)]

    run_tasks()

    sent = sorted(reload(m).sent_at for m in messages)
    assert len(sends(fakes, "twilio")) == 4
    # A send is recorded after the provider answers, a few hundredths of a second (more on a
    # busy machine) after its token: no two together, and three seconds from first to last.
    gaps = [b - a for a, b in zip(sent, sent[1:], strict=False)]
    assert min(gaps) >= dt.timedelta(seconds=0.5)
    assert sent[-1] - sent[0] >= dt.timedelta(seconds=2.9)


THROTTLE_WORKER = textwrap.dedent("""
    import os, sys, time, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    django.setup()
    from ventanilla.channels.models import Channel
    from ventanilla.channels.services import take_send_tokens
    channel = Channel.objects.get(pk=int(sys.argv[1]))
    wanted = int(sys.argv[2])
    sys.stdin.readline()  # start together
    while wanted > 0:
        asked = time.time()  # a grant is counted at a moment between asking and the answer
        grant = take_send_tokens(channel=channel, wanted=min(wanted, 7))
        for _ in range(grant.count):
            print(asked, time.time(), flush=True)
        wanted -= grant.count
        time.sleep(grant.wait)
""")


def test_the_rate_holds_across_worker_processes(fakes: Fakes) -> None:
    """Four processes take sends from one bucket: together, never above its rate and burst."""
    if connection.vendor != "postgresql":
        pytest.skip("several processes on one database: PostgreSQL (SQLite tests run in memory)")
    channel = fakes.channel("whatsapp", rate=200)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", THROTTLE_WORKER, str(channel.pk), "100"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(4)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    outputs = [worker.communicate(timeout=120)[0] for worker in workers]

    assert [worker.returncode for worker in workers] == [0] * 4
    grants = [tuple(map(float, line.split())) for out in outputs for line in out.splitlines()]
    assert len(grants) == 400
    asked = sorted(when for when, _ in grants)
    last = max(answered for _, answered in grants)
    burst = bucket_capacity(200)
    for start in range(0, 400, 50):  # in any stretch: at most the rate's worth, plus the burst
        window = last - asked[start]
        assert 400 - start <= 200 * window + burst + 1
    assert last - asked[0] < 400 / 200 + 1  # and the bucket did not starve them either


def test_without_a_deferring_queue_a_send_runs_at_once_and_a_retry_waits_for_nobody(
    fakes: Fakes, immediate_tasks: None, monkeypatch: Any
) -> None:
    """The immediate backend (development, other apps' tests) cannot schedule a retry."""
    chat = talking(fakes, "telegram")
    sleeps: list[float] = []
    monkeypatch.setattr(delivery_tasks.time, "sleep", sleeps.append)

    sent = queue_outbound(conversation=chat, text="Recibido")
    body, headers = THROTTLED["telegram"]
    fakes.fault("telegram", 429, body, headers)
    throttled = queue_outbound(conversation=chat, text="Otra vez")

    assert reload(sent).status == DeliveryStatus.SENT
    throttled = reload(throttled)
    assert (throttled.status, throttled.error_code) == (DeliveryStatus.QUEUED, "429")
    assert all(seconds < 1 for seconds in sleeps)  # nobody waited the 7 s retry-after
