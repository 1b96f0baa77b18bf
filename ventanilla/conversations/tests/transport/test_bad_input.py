"""Bad webhooks for every provider: a clear 4xx (or a recorded 200), never a 500."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from structlog.testing import capture_logs

from ventanilla.channels.models import Channel, EventKind, WebhookEvent
from ventanilla.citizens.models import Citizen
from ventanilla.conversations import ingest
from ventanilla.conversations.models import Message, WebhookDelivery
from ventanilla.fakes.tests.harness import PROVIDERS, SECRETS, Fakes, signed

pytestmark = pytest.mark.django_db(transaction=True)

SIGNATURE_HEADER = {
    "whatsapp": "x-hub-signature-256",
    "telegram": "x-telegram-bot-api-secret-token",
    "line": "x-line-signature",
    "twilio": "x-twilio-signature",
}
USER = "U" + "a" * 32


def nothing_stored() -> bool:
    return not Message.objects.exists() and not Citizen.objects.exists()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_wrong_signature_is_refused_and_nothing_is_stored(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")
    header = SIGNATURE_HEADER[provider]
    forged = {**delivery.headers, header: delivery.headers[header][:-4] + "AAAA"}

    response = fakes.client.post(delivery.url, content=delivery.body, headers=forged)

    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_missing_signature_is_refused_and_nothing_is_stored(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")
    headers = {k: v for k, v in delivery.headers.items() if k != SIGNATURE_HEADER[provider]}

    response = fakes.client.post(delivery.url, content=delivery.body, headers=headers)

    assert response.status_code == 403
    assert nothing_stored()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_body_changed_after_signing_is_refused(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")
    body = delivery.body.replace(b"Hola", b"Hack")

    response = fakes.client.post(delivery.url, content=body, headers=delivery.headers)

    expected = 200 if provider == "telegram" else 403  # Telegram signs no body: its secret
    assert response.status_code == expected  # header proves the sender, not the content


MALFORMED = {
    "whatsapp": b'{"object": "whatsapp_business_account", "entry": [',
    "telegram": b"[1, 2, 3]",
    "line": b'{"destination": "U1", "events": "not a list"}',
    "twilio": {"From": "+34600111222", "Body": "no MessageSid"},
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_malformed_body_with_a_good_signature_is_a_400(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    url = fakes.live_url + channel.webhook_path
    body, headers = signed(channel, url, MALFORMED[provider])

    response = fakes.client.post(url, content=body, headers=headers)

    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_unknown_channel_is_a_404(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")
    url = delivery.url.replace(f"/{channel.pk}/", f"/{channel.pk + 1000}/")

    response = fakes.client.post(url, content=delivery.body, headers=delivery.headers)

    assert response.status_code == 404
    assert nothing_stored()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_channel_under_another_provider_is_a_404(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="Hola")
    other = "line" if provider != "line" else "telegram"
    url = delivery.url.replace(f"/hooks/{provider}/", f"/hooks/{other}/")

    response = fakes.client.post(url, content=delivery.body, headers=delivery.headers)

    assert response.status_code == 404


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_inactive_channel_is_a_404(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    Channel.objects.filter(pk=channel.pk).update(active=False)

    answer = fakes.resident_says(channel, text="Hola")

    assert answer["status"] == 404
    assert nothing_stored()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_body_over_the_limit_is_a_413(provider: str, fakes: Fakes, settings) -> None:  # type: ignore[no-untyped-def]
    settings.WEBHOOK_MAX_BYTES = 2000
    channel = fakes.channel(provider)
    delivery = fakes.webhook(channel, text="x" * 3000)

    response = fakes.post(delivery)

    assert response.status_code == 413
    assert nothing_stored()


def test_the_default_limit_is_one_mebibyte(fakes: Fakes) -> None:
    channel = fakes.channel("telegram")
    small = fakes.webhook(channel, text="x" * 500_000)
    big = fakes.webhook(channel, text="x" * 1_100_000)

    assert fakes.post(small).status_code == 200
    assert fakes.post(big).status_code == 413
    assert Message.objects.count() == 1


def test_a_lying_content_length_is_refused(fakes: Fakes) -> None:
    channel = fakes.channel("whatsapp")
    delivery = fakes.webhook(channel, text="Hola")
    headers = {**delivery.headers, "content-length": "not-a-number"}

    # Sent by hand: a client library would fix the header.
    url = httpx.URL(delivery.url)
    request = (
        f"POST {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        + "Connection: close\r\n\r\n"
    ).encode() + delivery.body
    with socket.create_connection((url.host, url.port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            reply += chunk

    assert reply.split(b" ", 2)[1] == b"400"
    assert nothing_stored()


UNSUPPORTED = {
    "whatsapp": (
        {
            "object": "whatsapp_business_account",
            "entry": [
                {
                    "id": "0",
                    "changes": [
                        {
                            "field": "messages",
                            "value": {
                                "messaging_product": "whatsapp",
                                "metadata": {"phone_number_id": "106540352242922"},
                                "contacts": [{"profile": {"name": "L"}, "wa_id": "34600111222"}],
                                "messages": [
                                    {
                                        "from": "34600111222",
                                        "id": "wamid.REACTION1",
                                        "timestamp": "1767225960",
                                        "type": "reaction",
                                        "reaction": {"message_id": "wamid.X", "emoji": "👍"},
                                    }
                                ],
                            },
                        }
                    ],
                }
            ],
        },
        "reaction",
    ),
    "telegram": (
        {"update_id": 912345099, "poll": {"id": "1", "question": "¿?", "options": []}},
        "poll",
    ),
    "line": (
        {
            "destination": USER,
            "events": [
                {
                    "type": "beacon",
                    "mode": "active",
                    "timestamp": 1767225600000,
                    "source": {"type": "user", "userId": USER},
                    "webhookEventId": "01JG7Z8K3QWERTYASDFGZXCVB9",
                    "deliveryContext": {"isRedelivery": False},
                    "replyToken": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA",
                    "beacon": {"hwid": "d41d8cd98f", "type": "enter"},
                }
            ],
        },
        "beacon",
    ),
    "twilio": (
        {
            "MessageSid": "SM" + "2" * 32,
            "MessageStatus": "partially_delivered",
            "AccountSid": SECRETS["twilio"]["account_sid"],
            "To": "+34600111222",
            "From": "+34910000000",
            "ApiVersion": "2010-04-01",
        },
        "status.partially_delivered",
    ),
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_an_event_we_do_not_handle_is_recorded_and_acknowledged(
    provider: str, fakes: Fakes
) -> None:
    channel = fakes.channel(provider)
    url = fakes.live_url + channel.webhook_path
    payload, name = UNSUPPORTED[provider]
    body, headers = signed(
        channel, url, payload if provider == "twilio" else json.dumps(payload).encode()
    )

    first = fakes.client.post(url, content=body, headers=headers)
    again = fakes.client.post(url, content=body, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200)
    event = WebhookEvent.objects.get(channel=channel)  # recorded once
    assert (event.kind, event.name) == (EventKind.UNSUPPORTED, name)
    assert not Message.objects.exists()


def test_whatsapp_verification_handshake(fakes: Fakes) -> None:
    channel = fakes.channel("whatsapp")
    url = fakes.live_url + channel.webhook_path
    params = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}

    good = fakes.client.get(url, params={**params, "hub.verify_token": "wa-verify-token"})
    bad = fakes.client.get(url, params={**params, "hub.verify_token": "guess"})

    assert (good.status_code, good.text) == (200, "1158201444")
    assert bad.status_code == 403


@pytest.mark.parametrize("provider", ["telegram", "line", "twilio"])
def test_other_providers_have_no_handshake(provider: str, fakes: Fakes) -> None:
    channel = fakes.channel(provider)
    url = fakes.live_url + channel.webhook_path

    assert fakes.client.get(url).status_code == 405
    refused = fakes.client.put(url, content=b"{}")
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET, POST")


def test_twilio_signature_covers_the_public_url_behind_a_proxy(fakes: Fakes, settings) -> None:  # type: ignore[no-untyped-def]
    """Twilio signs the URL it called (the proxy's), not the one the app sees."""
    channel = fakes.channel("twilio")
    public = "https://desk.example.org"
    settings.PUBLIC_URL = public
    form = {
        "MessageSid": "SM" + "3" * 32,
        "SmsStatus": "received",
        "From": "+34600111222",
        "To": "+34910000000",
        "Body": "Hola",
        "NumMedia": "0",
        "AccountSid": SECRETS["twilio"]["account_sid"],
    }
    app_url = fakes.live_url + channel.webhook_path
    as_public, headers = signed(channel, public + channel.webhook_path, form)
    as_seen, seen_headers = signed(channel, app_url, form)

    assert fakes.client.post(app_url, content=as_public, headers=headers).status_code == 200
    assert fakes.client.post(app_url, content=as_seen, headers=seen_headers).status_code == 403
    assert Message.objects.get().text == "Hola"


def test_a_sender_we_cannot_address_is_recorded_not_a_500(fakes: Fakes) -> None:
    """An SMS from a short code: Twilio must not lose it silently, nor get an error."""
    channel = fakes.channel("twilio")
    url = fakes.live_url + channel.webhook_path
    form = {
        "MessageSid": "SM" + "4" * 32,
        "SmsStatus": "received",
        "From": "12345",
        "To": "+34910000000",
        "Body": "Promo",
        "NumMedia": "0",
    }
    body, headers = signed(channel, url, form)

    response = fakes.client.post(url, content=body, headers=headers)

    assert response.status_code == 200
    event = WebhookEvent.objects.get(channel=channel)
    assert (event.kind, event.name) == (EventKind.UNSUPPORTED, "invalid_sender")
    assert nothing_stored()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/hooks/whatsapp/abc/", 404),
        ("/hooks/whatsapp/", 404),
        ("/hooks/whatsapp/{id}/more/", 404),
        ("/hooks/whatsapp/{id}", 404),
        ("/hooks/whatsapp/{id}/?hub.challenge=%00", 400),
    ],
)
def test_an_address_that_is_no_webhook_is_refused(path: str, status: int, fakes: Fakes) -> None:
    channel = fakes.channel("whatsapp")
    delivery = fakes.webhook(channel, text="Hola")
    url = fakes.live_url + path.format(id=channel.pk)

    response = fakes.client.post(url, content=delivery.body, headers=delivery.headers)

    assert response.status_code == status
    assert nothing_stored()


def test_a_fault_of_ours_is_a_bare_500_and_the_next_webhook_is_stored(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = fakes.channel("telegram")
    first, second = (fakes.webhook(channel, text=text) for text in ("Hola", "Adiós"))

    def broken(**kwargs: object) -> None:
        raise RuntimeError("the disk is full")

    with monkeypatch.context() as patch, capture_logs() as logs:
        patch.setattr(ingest, "store", broken)
        failed = fakes.post(first)

    assert failed.status_code == 500
    assert "disk" not in failed.text and "Traceback" not in failed.text
    assert [entry["event"] for entry in logs if entry["log_level"] == "error"] == ["webhook_failed"]
    assert fakes.post(second).status_code == 200
    assert fakes.post(first).status_code == 200  # the provider's retry
    assert WebhookDelivery.objects.filter(channel=channel).count() == 2
