"""The web chat's adapter: the chat page's posts in, ids out, and no webhook."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from ventanilla.channels.adapters.base import (
    ChannelConfig,
    MalformedPayload,
    OutboundMessage,
    SendError,
    SignatureError,
    WebhookRequest,
)
from ventanilla.channels.adapters.webchat.adapter import WebChatAdapter, image_type

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
URN = "webchat:0123456789abcdef0123456789abcdef"


def fixture(name: str) -> dict[str, str]:
    return {k: v for k, v in json.loads((FIXTURES / name).read_text()).items() if k[0] != "_"}


def adapter() -> WebChatAdapter:
    return WebChatAdapter(ChannelConfig(channel_id=1, api_base="", secrets={}))


def test_a_place_post_becomes_a_located_message() -> None:
    message = WebChatAdapter.parse_post(urn=URN, fields=fixture("post_with_place.json"))
    assert message.urn == URN
    assert message.provider_message_id == f"{URN}/6f1c2b0e-8a4d-4a8e-9c59-2f1d7c3f9a10"
    assert message.location is not None
    assert (message.location.latitude, message.location.longitude) == (40.4168, -3.7038)


def test_a_tapped_answer_keeps_its_choice_and_a_photo_its_type() -> None:
    message = WebChatAdapter.parse_post(
        urn=URN, fields=fixture("post_choice.json"), photo_type="image/jpeg", language="ca"
    )
    assert (message.text, message.choice, message.language_hint) == ("Acepto", "consent:yes", "ca")
    assert [(a.kind, a.content_type) for a in message.attachments] == [("image", "image/jpeg")]


def test_the_same_browser_id_of_two_residents_is_two_messages() -> None:
    fields = fixture("post_choice.json")
    one = WebChatAdapter.parse_post(urn=URN, fields=fields)
    other = WebChatAdapter.parse_post(urn="webchat:" + "f" * 32, fields=fields)
    assert one.provider_message_id != other.provider_message_id


@pytest.mark.parametrize(
    "fields",
    [
        {"text": "no id"},
        {"client_id": "a b c d e f g h", "text": "spaces"},
        {"client_id": "x" * 65, "text": "too long an id"},
        {"client_id": "abcdefgh"},
        {"client_id": "abcdefgh", "latitude": "40.4"},
        {"client_id": "abcdefgh", "latitude": "inf", "longitude": "1"},
        {"client_id": "abcdefgh", "latitude": "1", "longitude": "181"},
    ],
)
def test_what_is_not_a_message_is_refused(fields: dict[str, str]) -> None:
    with pytest.raises(MalformedPayload):
        WebChatAdapter.parse_post(urn=URN, fields=fields)


def test_sending_gives_a_stable_id_and_calls_nobody() -> None:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError("the web chat calls no API")

    client = httpx.Client(transport=httpx.MockTransport(no_network))
    message = OutboundMessage(urn=URN, text="Hola", idempotency_key="k-1")
    first = adapter().send(client, message)
    assert first == adapter().send(client, message)
    assert first.provider_message_id == "webchat-out-k-1"
    with pytest.raises(SendError) as refused:
        adapter().send(client, OutboundMessage(urn="tel:+34600111222", text="Hola"))
    assert not refused.value.retryable


def test_there_is_no_webhook() -> None:
    request = WebhookRequest(method="POST", url="/", headers={}, body=b"{}")
    with pytest.raises(SignatureError):
        adapter().verify(request)
    assert adapter().handshake(request).status == 405


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
        (b"GIF89a\x01\0\x01\0", "image/gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7", ""),
        (b"<svg xmlns=", ""),
        (b"", ""),
    ],
)
def test_photos_are_known_by_their_first_bytes(head: bytes, kind: str) -> None:
    assert image_type(head) == kind
