"""WhatsApp adapter: one test per saved payload shape, signatures, and sends through the fake."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ventanilla.channels.adapters.base import (
    Attachment,
    ChannelConfig,
    Choice,
    InboundMessage,
    Location,
    MalformedPayload,
    OutboundAttachment,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SignatureError,
    Template,
    WebhookRequest,
)
from ventanilla.channels.adapters.whatsapp import WhatsAppAdapter
from ventanilla.fakes.server import FakeHub, FakeRequest, FakeResponse, serving
from ventanilla.fakes.whatsapp import WhatsAppFake, tiny_png

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SECRETS = {
    "phone_number_id": "106540352242922",
    "access_token": "wa-access-token",
    "app_secret": "app-secret-123",
    "verify_token": "verify-me",
}
HOOK_PATH = "/hooks/whatsapp/1/"
ADAPTER = WhatsAppAdapter(ChannelConfig(channel_id=1, api_base="https://graph", secrets=SECRETS))


def sign(body: bytes, secret: str = SECRETS["app_secret"]) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook(body: bytes, signature: str | None = None) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    headers["X-Hub-Signature-256"] = sign(body) if signature is None else signature
    return WebhookRequest(method="POST", url="https://desk/hooks/", headers=headers, body=body)


def parse_fixture(name: str) -> ParsedWebhook:
    request = webhook((FIXTURES / f"{name}.json").read_bytes())
    ADAPTER.verify(request)
    return ADAPTER.parse(request)


def only_message(name: str) -> InboundMessage:
    parsed = parse_fixture(name)
    assert len(parsed.messages) == 1 and not parsed.statuses and not parsed.events
    return parsed.messages[0]


# -- parsing, one test per payload shape ----------------------------------------------------


def test_text() -> None:
    message = only_message("text")
    assert message.provider_message_id.startswith("wamid.")
    assert message.urn == "whatsapp:34600111222"
    assert message.extra_urns == ()
    assert message.text == "Hay una farola rota en la calle Mayor 3"
    assert message.contact_name == "Lucía Gómez"
    assert message.received_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_image() -> None:
    message = only_message("image")
    assert message.text == "Farola"
    assert message.attachments == (
        Attachment(
            kind="image", media_ref="1479537139650973", content_type="image/jpeg", caption="Farola"
        ),
    )


def test_document_keeps_filename() -> None:
    (attachment,) = only_message("document").attachments
    assert (attachment.kind, attachment.media_ref) == ("document", "2203987110485562")
    assert (attachment.filename, attachment.content_type) == ("denuncia.pdf", "application/pdf")
    assert attachment.caption == "Denuncia firmada"


def test_voice_note_is_audio() -> None:
    message = only_message("audio")
    (attachment,) = message.attachments
    assert attachment.kind == "audio" and attachment.content_type.startswith("audio/ogg")
    assert message.text == ""


def test_video() -> None:
    (attachment,) = only_message("video").attachments
    assert (attachment.kind, attachment.media_ref) == ("video", "3360014485521907")


def test_sticker() -> None:
    (attachment,) = only_message("sticker").attachments
    assert (attachment.kind, attachment.content_type) == ("sticker", "image/webp")


def test_location() -> None:
    message = only_message("location")
    assert message.location == Location(
        latitude=40.4168,
        longitude=-3.7038,
        name="Puerta del Sol",
        address="Plaza de la Puerta del Sol, Madrid",
    )


def test_shared_contact_becomes_text() -> None:
    assert only_message("contacts").text == "Ana Pérez +34 600 222 333"


def test_interactive_button_reply() -> None:
    message = only_message("interactive_button_reply")
    assert (message.choice, message.text) == ("report_yes", "Sí")


def test_interactive_list_reply() -> None:
    message = only_message("interactive_list_reply")
    assert (message.choice, message.text) == ("cat_lighting", "Alumbrado")


def test_template_quick_reply_button() -> None:
    message = only_message("button")
    assert (message.choice, message.text) == ("UNSUB_TRAFFIC", "Dejar de recibir")


def test_resident_known_only_by_username_id() -> None:
    message = only_message("username_only")
    assert message.urn == "whatsapp:user:ES.1502576394655843"
    assert message.extra_urns == ()
    assert message.contact_name == "Marta"


def test_phone_and_username_id_keeps_both() -> None:
    message = only_message("text_with_user_id")
    assert message.urn == "whatsapp:34600111222"
    assert message.extra_urns == ("whatsapp:user:ES.8841200917733105",)


def test_several_entries_messages_and_statuses_deduplicated() -> None:
    parsed = parse_fixture("several")
    assert [(m.urn, m.text, m.location is not None) for m in parsed.messages] == [
        ("whatsapp:34600111222", "Contenedor lleno en la plaza", False),
        ("whatsapp:34600111222", "", True),
        ("whatsapp:34600333444", "Ruido de obras de noche", False),
    ]
    assert parsed.messages[2].contact_name == "Pedro Ruiz"
    assert [(s.provider_message_id, s.status, s.error_code) for s in parsed.statuses] == [
        ("wamid.OUT_0100", "delivered", ""),
        ("wamid.OUT_0101", "read", ""),
        ("wamid.OUT_0102", "failed", "131026"),
    ]


@pytest.mark.parametrize("status", ["sent", "delivered", "read"])
def test_status(status: str) -> None:
    parsed = parse_fixture(f"status_{status}")
    (update,) = parsed.statuses
    assert (update.provider_message_id, update.status) == ("wamid.OUT_TRAFFIC_0001", status)
    assert update.at is not None and update.at.tzinfo is not None
    assert not parsed.messages and not parsed.events


def test_failed_status_carries_code_and_title() -> None:
    (update,) = parse_fixture("status_failed").statuses
    assert update.status == "failed"
    assert (update.error_code, update.error_title) == ("131047", "Re-engagement message")


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("unsupported", "unsupported"),
        ("reaction", "reaction"),
        ("template_status_update", "message_template_status_update"),
    ],
)
def test_events_we_do_not_handle_are_named(fixture: str, name: str) -> None:
    parsed = parse_fixture(fixture)
    (event,) = parsed.events
    assert (event.kind, event.name) == ("unsupported", name)
    assert not parsed.messages and not parsed.statuses


def test_timestamp_in_milliseconds() -> None:
    data = json.loads((FIXTURES / "text.json").read_bytes())
    data["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "1767225600000"
    (message,) = ADAPTER.parse(webhook(json.dumps(data).encode())).messages
    assert message.received_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"object":"whatsapp_business_account"}',
        b'{"entry":[{"changes":[{"field":"messages"}]}]}',
        b'{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"type":"text"}]}}]}]}',
        b'{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"w","type":"text"}]}}]}]}',
        b'{"entry":[{"changes":[{"field":"messages","value":{"messages":'
        b'[{"id":"w","from":"1","type":"location","location":{"name":"x"}}]}}]}]}',
    ],
)
def test_malformed_payload(body: bytes) -> None:
    with pytest.raises(MalformedPayload):
        ADAPTER.parse(webhook(body))


# -- signatures and handshake ---------------------------------------------------------------


def test_signature_test_vector() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = "sha256=20e391a99a86fc5adf7e3a453236d20c906360291977896cf2f671e03bb95703"
    ADAPTER.verify(webhook(body, signature=expected))
    assert ADAPTER.parse(webhook(body, signature=expected)) == ParsedWebhook()


@pytest.mark.parametrize(
    "signature",
    [
        "",
        sign(b"other body"),
        sign(b"", secret="wrong-secret"),
        sign(b"")[7:],
        "sha1=" + sign(b"")[7:],
        sign(b"") + "00",
    ],
)
def test_signature_rejected(signature: str) -> None:
    with pytest.raises(SignatureError):
        ADAPTER.verify(webhook(b"", signature=signature))


def test_missing_signature_rejected() -> None:
    request = WebhookRequest(method="POST", url="https://desk/", headers={}, body=b"{}")
    with pytest.raises(SignatureError):
        ADAPTER.verify(request)


def handshake(**query: str) -> tuple[int, str]:
    request = WebhookRequest(method="GET", url="https://desk/", headers={}, body=b"", query=query)
    answer = ADAPTER.handshake(request)
    return answer.status, answer.body


def test_handshake_echoes_challenge() -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.verify_token": "verify-me",
        "hub.challenge": "1158201444",
    }
    assert handshake(**query) == (200, "1158201444")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "verify-me", "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_handshake_refuses(query: dict[str, str]) -> None:
    assert handshake(**query)[0] == 403


def test_acknowledge_is_200() -> None:
    assert ADAPTER.acknowledge()[0] == 200


# -- sending and media through the fake -----------------------------------------------------


class Fake:
    """The in-process fake server, a webhook receiver on it, and helpers for one test."""

    def __init__(self, base: str, hub: FakeHub, client: httpx.Client) -> None:
        self.base, self.hub = base, hub
        self.webhooks: list[FakeRequest] = []
        self.client = client  # one per module: building a client costs ~60 ms

    def adapter(self, **overrides: Any) -> WhatsAppAdapter:
        options = overrides.pop("options", {})
        secrets = SECRETS | overrides
        config = ChannelConfig(
            channel_id=1, api_base=f"{self.base}/whatsapp", secrets=secrets, options=options
        )
        return WhatsAppAdapter(config)

    def fault(self, status: int, body: Any = None, **extra: Any) -> None:
        self.client.post(
            f"{self.base}/_control/whatsapp/faults", json={"status": status, "body": body, **extra}
        )

    def received(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.client.get(
            f"{self.base}/_control/received?provider=whatsapp"
        ).json()
        return rows

    def sent_json(self) -> Any:
        return json.loads(self.received()[-1]["body"])

    def wait_for(self, match: Callable[[FakeRequest], bool], count: int) -> None:
        """Wait for ``count`` webhooks that ``match`` (statuses of earlier sends also arrive)."""
        deadline = time.monotonic() + 5
        while sum(map(match, self.webhooks)) < count and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeHub]]:
    with serving(WhatsAppFake) as running_fake:
        yield running_fake


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as shared:
        yield shared


@pytest.fixture
def fake(server: tuple[str, FakeHub], client: httpx.Client) -> Iterator[Fake]:
    base, hub = server
    helper = Fake(base, hub, client)

    def receive(request: FakeRequest) -> FakeResponse:
        helper.webhooks.append(request)
        return FakeResponse(body=b"OK", content_type="text/plain")

    hub.extra_routes[HOOK_PATH] = receive
    helper.client.post(f"{base}/_control/reset")
    channel = {"provider": "whatsapp", "webhook_url": base + HOOK_PATH, "secrets": SECRETS}
    helper.client.post(f"{base}/_control/channels", json=channel)
    yield helper


HEAD = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "34600111222"}


def test_send_text(fake: Fake) -> None:
    result = fake.adapter().send(
        fake.client, OutboundMessage(urn="whatsapp:34600111222", text="Hola")
    )
    assert result.provider_message_id.startswith("wamid.")
    (call,) = fake.received()
    assert call["method"] == "POST" and call["path"] == "/v21.0/106540352242922/messages"
    assert call["headers"]["authorization"] == "Bearer wa-access-token"
    assert json.loads(call["body"]) == HEAD | {
        "type": "text",
        "text": {"body": "Hola", "preview_url": False},
    }


def test_send_uses_configured_graph_version(fake: Fake) -> None:
    adapter = fake.adapter(options={"graph_version": "v25.0"})
    adapter.send(fake.client, OutboundMessage(urn="whatsapp:+34600111222", text="Hola"))
    assert fake.received()[-1]["path"] == "/v25.0/106540352242922/messages"
    assert fake.sent_json()["to"] == "34600111222"


def test_send_to_username_id_uses_recipient(fake: Fake) -> None:
    message = OutboundMessage(urn="whatsapp:user:ES.1502576394655843", text="Hola")
    fake.adapter().send(fake.client, message)
    body = fake.sent_json()
    assert body["recipient"] == "ES.1502576394655843" and "to" not in body


def test_send_buttons(fake: Fake) -> None:
    choices = (Choice("yes", "Sí"), Choice("no", "No"))
    message = OutboundMessage(urn="whatsapp:34600111222", text="¿Se ha resuelto?", choices=choices)
    fake.adapter().send(fake.client, message)
    assert fake.sent_json() == HEAD | {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "¿Se ha resuelto?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "yes", "title": "Sí"}},
                    {"type": "reply", "reply": {"id": "no", "title": "No"}},
                ]
            },
        },
    }


def test_send_buttons_with_image_header(fake: Fake) -> None:
    image = OutboundAttachment(url="https://desk.example.org/m/map.png", content_type="image/png")
    message = OutboundMessage(
        urn="whatsapp:34600111222", text="¿Es aquí?", choices=(Choice("y", "Sí"),), attachment=image
    )
    fake.adapter().send(fake.client, message)
    assert fake.sent_json()["interactive"]["header"] == {
        "type": "image",
        "image": {"link": "https://desk.example.org/m/map.png"},
    }


def test_send_list(fake: Fake) -> None:
    choices = tuple(Choice(f"cat_{n}", f"Categoría {n}") for n in range(1, 6))
    message = OutboundMessage(urn="whatsapp:34600111222", text="Elige categoría", choices=choices)
    fake.adapter(options={"list_button": "Categorías"}).send(fake.client, message)
    assert fake.sent_json()["interactive"] == {
        "type": "list",
        "body": {"text": "Elige categoría"},
        "action": {
            "button": "Categorías",
            "sections": [{"rows": [{"id": c.id, "title": c.label} for c in choices]}],
        },
    }


def test_send_too_many_choices_as_numbered_text(fake: Fake) -> None:
    choices = tuple(Choice(str(n), f"Opción {n}") for n in range(1, 12))
    message = OutboundMessage(urn="whatsapp:34600111222", text="Elige:", choices=choices)
    fake.adapter().send(fake.client, message)
    body = fake.sent_json()
    assert body["type"] == "text"
    assert body["text"]["body"].splitlines()[:3] == ["Elige:", "1. Opción 1", "2. Opción 2"]
    assert body["text"]["body"].endswith("11. Opción 11")


def test_send_image_by_link(fake: Fake) -> None:
    image = OutboundAttachment(url="https://desk.example.org/m/1.jpg", content_type="image/jpeg")
    message = OutboundMessage(urn="whatsapp:34600111222", text="Mapa", attachment=image)
    fake.adapter().send(fake.client, message)
    assert fake.sent_json() == HEAD | {
        "type": "image",
        "image": {"link": "https://desk.example.org/m/1.jpg", "caption": "Mapa"},
    }


def test_send_document_by_link(fake: Fake) -> None:
    pdf = OutboundAttachment(
        url="https://desk.example.org/c/1.pdf", content_type="application/pdf", filename="c.pdf"
    )
    fake.adapter().send(fake.client, OutboundMessage(urn="whatsapp:34600111222", attachment=pdf))
    assert fake.sent_json()["document"] == {
        "link": "https://desk.example.org/c/1.pdf",
        "filename": "c.pdf",
    }


def test_send_location(fake: Fake) -> None:
    place = Location(40.4168, -3.7038, name="Ayuntamiento", address="Plaza Mayor 1")
    fake.adapter().send(fake.client, OutboundMessage(urn="whatsapp:34600111222", location=place))
    assert fake.sent_json() == HEAD | {
        "type": "location",
        "location": {
            "latitude": 40.4168,
            "longitude": -3.7038,
            "name": "Ayuntamiento",
            "address": "Plaza Mayor 1",
        },
    }


def test_send_template(fake: Fake) -> None:
    template = Template(name="traffic_alert", language="es", parameters=("M-30", "18:30"))
    fake.adapter().send(fake.client, OutboundMessage(urn="whatsapp:34600111222", template=template))
    assert fake.sent_json() == HEAD | {
        "type": "template",
        "template": {
            "name": "traffic_alert",
            "language": {"policy": "deterministic", "code": "es"},
            "components": [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": "M-30"},
                        {"type": "text", "text": "18:30"},
                    ],
                }
            ],
        },
    }


def test_send_then_statuses_arrive_signed(fake: Fake) -> None:
    adapter = fake.adapter()
    result = adapter.send(fake.client, OutboundMessage(urn="whatsapp:34600111222", text="Hola"))
    wamid = result.provider_message_id
    fake.wait_for(lambda hook: wamid.encode() in hook.body, 3)
    updates = []
    for hook in fake.webhooks:
        request = WebhookRequest("POST", fake.base + HOOK_PATH, hook.headers, hook.body)
        adapter.verify(request)
        updates += [s for s in adapter.parse(request).statuses if s.provider_message_id == wamid]
    assert [u.status for u in updates] == ["sent", "delivered", "read"]


def throttle(code: int) -> dict[str, Any]:
    return {
        "error": {"message": f"(#{code}) Rate limit hit", "type": "OAuthException", "code": code}
    }


@pytest.mark.parametrize(
    ("fault", "code", "retry_after"),
    [
        ({"status": 429, "body": throttle(130429), "headers": {"Retry-After": "7"}}, "130429", 7.0),
        ({"status": 400, "body": throttle(131056)}, "131056", None),
        ({"status": 400, "body": throttle(80007)}, "80007", None),
        ({"status": 500}, "500", None),
        ({"status": 503, "body": {"error": {"code": 1, "message": "Unknown"}}}, "1", None),
    ],
)
def test_send_retryable_errors(
    fake: Fake, fault: dict[str, Any], code: str, retry_after: float | None
) -> None:
    fake.fault(**fault)
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, OutboundMessage(urn="whatsapp:34600111222", text="Hola"))
    assert caught.value.retryable
    assert (caught.value.code, caught.value.retry_after) == (code, retry_after)


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (131047, "Re-engagement message"),
        (131026, "Message undeliverable"),
        (131053, "Media upload error"),
        (100, "Invalid parameter"),
    ],
)
def test_send_permanent_errors(fake: Fake, code: int, title: str) -> None:
    error = {"message": title, "type": "OAuthException", "code": code}
    error["error_data"] = {"messaging_product": "whatsapp", "details": "details here"}
    fake.fault(400, {"error": error})
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, OutboundMessage(urn="whatsapp:34600111222", text="Hola"))
    assert not caught.value.retryable and not caught.value.resident_stopped
    assert caught.value.code == str(code)
    assert caught.value.reason == f"{code} {title}: details here"


def test_send_with_bad_token_is_permanent(fake: Fake) -> None:
    with pytest.raises(SendError) as caught:
        fake.adapter(access_token="expired").send(
            fake.client, OutboundMessage(urn="whatsapp:34600111222", text="Hola")
        )
    assert (caught.value.retryable, caught.value.code) == (False, "190")


def test_send_timeout_is_retryable(fake: Fake) -> None:
    fake.fault(200, delay=1.0)
    with pytest.raises(SendError) as caught, httpx.Client(timeout=0.2) as client:
        fake.adapter().send(client, OutboundMessage(urn="whatsapp:34600111222", text="Hola"))
    assert caught.value.retryable


def test_send_connection_refused_is_retryable() -> None:
    config = ChannelConfig(channel_id=1, api_base="http://127.0.0.1:1", secrets=SECRETS)
    with pytest.raises(SendError) as caught, httpx.Client(timeout=2) as client:
        WhatsAppAdapter(config).send(client, OutboundMessage(urn="whatsapp:1", text="x"))
    assert caught.value.retryable


@pytest.mark.parametrize(
    "message",
    [
        OutboundMessage(urn="whatsapp:34600111222"),
        OutboundMessage(urn="tel:+34600111222", text="x"),
    ],
)
def test_send_refuses_what_cannot_be_sent(fake: Fake, message: OutboundMessage) -> None:
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, message)
    assert not caught.value.retryable
    assert fake.received() == []


def test_download_media(fake: Fake) -> None:
    png = tiny_png()
    media_id = fake.hub.store_media(png, "image/png")
    attachment = Attachment(kind="image", media_ref=media_id)
    assert fake.adapter().download(fake.client, attachment) == (png, "image/png")
    calls = fake.received()
    assert [c["path"].split("?")[0] for c in calls] == [
        f"/v21.0/{media_id}",
        f"/media-download/{media_id}",
    ]
    assert {c["headers"]["authorization"] for c in calls} == {"Bearer wa-access-token"}


def test_download_unknown_media_raises(fake: Fake) -> None:
    with pytest.raises(httpx.HTTPStatusError):
        fake.adapter().download(fake.client, Attachment(kind="image", media_ref="nope"))


# -- the fake's resident messages are what the adapter expects ------------------------------


def resident(fake: Fake, spec: dict[str, Any]) -> tuple[InboundMessage, str]:
    whatsapp = fake.hub.providers["whatsapp"]
    channel = fake.hub.find_channel("whatsapp", fake.base + HOOK_PATH)
    assert channel is not None
    delivery = whatsapp.resident_message(channel, spec)
    request = WebhookRequest("POST", delivery.url, delivery.headers, delivery.body)
    adapter = fake.adapter()
    adapter.verify(request)
    (message,) = adapter.parse(request).messages
    return message, delivery.headers["x-fake-message-id"]


def test_resident_text(fake: Fake) -> None:
    message, wamid = resident(fake, {"from": "+34600111222", "name": "Lucía", "text": "Hola"})
    assert message.provider_message_id == wamid
    assert (message.urn, message.contact_name, message.text) == (
        "whatsapp:34600111222",
        "Lucía",
        "Hola",
    )


def test_resident_image_downloads(fake: Fake) -> None:
    message, _ = resident(fake, {"from": "34600111222", "image": True, "text": "Bache"})
    (attachment,) = message.attachments
    assert (attachment.kind, attachment.caption) == ("image", "Bache")
    data, mime = fake.adapter().download(fake.client, attachment)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and mime == "image/png"


def test_resident_location(fake: Fake) -> None:
    spec = {"from": "34600111222", "location": {"latitude": 40.41, "longitude": -3.7}}
    message, _ = resident(fake, spec)
    assert message.location == Location(40.41, -3.7)


def test_resident_choice(fake: Fake) -> None:
    message, _ = resident(fake, {"from": "34600111222", "choice": "report_yes", "text": "Sí"})
    assert (message.choice, message.text) == ("report_yes", "Sí")


def test_resident_with_username_only(fake: Fake) -> None:
    message, _ = resident(fake, {"user_id": "ES.77", "text": "Hola"})
    assert message.urn == "whatsapp:user:ES.77"
