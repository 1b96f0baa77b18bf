"""Messenger and Instagram adapters: saved payloads, signatures, the handshake and sends."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import httpx
import pytest

from ventanilla.channels.adapters.base import (
    ChannelConfig,
    Choice,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SignatureError,
    WebhookRequest,
)
from ventanilla.channels.adapters.instagram import InstagramAdapter
from ventanilla.channels.adapters.messenger import MessengerAdapter
from ventanilla.channels.adapters.messenger.adapter import MetaMessagingAdapter

ADAPTERS = Path(__file__).resolve().parent.parent.parent
SECRETS = {
    "page_id": "104837291038475",
    "access_token": "page-token",
    "app_secret": "app-secret-123",
    "verify_token": "verify-me",
}


def adapter(cls: type[MetaMessagingAdapter] = MessengerAdapter) -> MetaMessagingAdapter:
    return cls(ChannelConfig(channel_id=1, api_base="https://graph", secrets=SECRETS))


def webhook(body: bytes, signature: str | None = None) -> WebhookRequest:
    digest = hmac.new(SECRETS["app_secret"].encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={digest}" if signature is None else signature}
    return WebhookRequest(method="POST", url="https://desk/hooks/", headers=headers, body=body)


def parse(provider: str, name: str) -> ParsedWebhook:
    cls = InstagramAdapter if provider == "instagram" else MessengerAdapter
    request = webhook((ADAPTERS / provider / "fixtures" / f"{name}.json").read_bytes())
    adapter(cls).verify(request)
    return adapter(cls).parse(request)


def test_a_text_message_becomes_the_residents_message() -> None:
    parsed = parse("messenger", "text")
    (message,) = parsed.messages
    assert message.urn == "messenger:6523489120394857"
    assert message.text == "Hola, hay una farola apagada en la calle Mayor"
    assert message.provider_message_id.startswith("m_AG5Hz2")
    assert message.received_at is not None and message.received_at.year == 2025


def test_a_quick_reply_is_a_choice() -> None:
    (message,) = parse("messenger", "quick_reply").messages
    assert (message.text, message.choice) == ("Acepto", "consent:yes")


def test_a_photo_and_a_place() -> None:
    photo, place = parse("messenger", "image_and_location").messages
    assert photo.attachments[0].kind == "image"
    assert photo.attachments[0].media_ref.startswith("https://scontent.xx.fbcdn.net/")
    assert place.location is not None
    assert (place.location.latitude, place.location.longitude) == (40.4168, -3.7038)


def test_a_postback_is_a_choice() -> None:
    (message,) = parse("messenger", "postback").messages
    assert (message.choice, message.provider_message_id) == ("GET_STARTED", "m_postback1")


def test_delivery_names_each_message_and_our_echo_is_ignored() -> None:
    parsed = parse("messenger", "delivery_read_echo")
    assert parsed.messages == []
    assert [(s.provider_message_id, s.status) for s in parsed.statuses] == [
        ("m_sent1", "delivered"),
        ("m_sent2", "delivered"),
    ]
    # Messenger's read carries only a watermark: named, not guessed
    assert [e.name for e in parsed.events] == ["read.watermark"]


def test_instagram_messages_and_reads() -> None:
    parsed = parse("instagram", "text_and_read")
    (message,) = parsed.messages
    assert message.urn == "instagram:1234567890123456"
    assert message.text == "Hay basura acumulada en el parque"
    assert [s.status for s in parsed.statuses] == ["read"]


def test_an_instagram_story_mention_keeps_its_address() -> None:
    (message,) = parse("instagram", "story_mention").messages
    assert message.text.startswith("https://lookaside.fbsbx.com/")


def test_the_other_products_payload_is_refused() -> None:
    body = (ADAPTERS / "instagram" / "fixtures" / "text_and_read.json").read_bytes()
    with pytest.raises(MalformedPayload):
        adapter(MessengerAdapter).parse(webhook(body))


def test_a_forged_or_missing_signature_is_refused() -> None:
    body = (ADAPTERS / "messenger" / "fixtures" / "text.json").read_bytes()
    with pytest.raises(SignatureError):
        adapter().verify(webhook(body, signature="sha256=" + "0" * 64))
    with pytest.raises(SignatureError):
        adapter().verify(webhook(body, signature=""))
    signed_original = webhook(body).headers["X-Hub-Signature-256"]
    with pytest.raises(SignatureError):  # the body changed after it was signed
        adapter().verify(webhook(body.replace(b"Mayor", b"Menor"), signature=signed_original))


def test_the_handshake_echoes_the_challenge_only_with_our_token() -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
    }
    get = WebhookRequest(method="GET", url="", headers={}, body=b"", query=query)
    assert adapter().handshake(get).body == "1158201444"
    wrong = WebhookRequest(
        method="GET", url="", headers={}, body=b"", query=query | {"hub.verify_token": "x"}
    )
    assert adapter().handshake(wrong).status == 403


def sent(message: OutboundMessage, status: int = 200, answer: object = None) -> dict[str, object]:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json=answer or {"recipient_id": "1", "message_id": "m_1"})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        result = adapter().send(client, message)
    assert result.provider_message_id == "m_1"
    assert calls[0].url.path == "/v21.0/me/messages"
    assert calls[0].headers["authorization"] == "Bearer page-token"
    return dict(json.loads(calls[0].content))


def test_a_reply_goes_to_the_scoped_id_as_a_response_with_quick_replies() -> None:
    body = sent(
        OutboundMessage(
            urn="messenger:6523489120394857",
            text="¿Acepta?",
            choices=(Choice("yes", "Acepto"), Choice("no", "No acepto")),
        )
    )
    assert body["recipient"] == {"id": "6523489120394857"}
    assert body["messaging_type"] == "RESPONSE"
    assert body["message"] == {
        "text": "¿Acepta?",
        "quick_replies": [
            {"content_type": "text", "title": "Acepto", "payload": "yes"},
            {"content_type": "text", "title": "No acepto", "payload": "no"},
        ],
    }


def test_long_options_become_numbered_lines() -> None:
    choice = Choice("x", "Una opción con un nombre muy largo")
    body = sent(OutboundMessage(urn="messenger:1", text="Elija", choices=(choice,)))
    assert body["message"] == {"text": "Elija\n1. Una opción con un nombre muy largo"}


def test_a_blocked_page_stops_the_resident_and_throttling_is_retried() -> None:
    blocked = {"error": {"code": 10, "error_subcode": 2018108, "message": "blocked"}}
    with pytest.raises(SendError) as error:
        sent(OutboundMessage(urn="messenger:1", text="Hola"), status=400, answer=blocked)
    assert error.value.resident_stopped and not error.value.retryable
    throttled = {"error": {"code": 613, "message": "Calls to this api have exceeded the rate"}}
    with pytest.raises(SendError) as error:
        sent(OutboundMessage(urn="messenger:1", text="Hola"), status=400, answer=throttled)
    assert error.value.retryable


def test_a_resident_of_another_provider_is_not_sent_to() -> None:
    with pytest.raises(SendError):
        adapter().send(httpx.Client(), OutboundMessage(urn="whatsapp:34600111222", text="Hola"))
