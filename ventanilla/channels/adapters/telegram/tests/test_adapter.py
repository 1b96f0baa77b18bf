"""The Telegram adapter against saved updates and the local Telegram fake."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ventanilla.channels.adapters.base import (
    Attachment,
    ChannelConfig,
    Choice,
    Location,
    MalformedPayload,
    OutboundAttachment,
    OutboundMessage,
    SendError,
    SignatureError,
    WebhookRequest,
)
from ventanilla.channels.adapters.telegram import TelegramAdapter
from ventanilla.fakes.server import FakeChannel, FakeHub, start
from ventanilla.fakes.telegram import TelegramFake

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BOT_TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "webhook-secret_42"
WEBHOOK_URL = "https://desk.example.org/hooks/telegram/1/"


def fixture_body(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def webhook(body: bytes, secret: str | None = SECRET) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return WebhookRequest(method="POST", url=WEBHOOK_URL, headers=headers, body=body)


def make_adapter(api_base: str = "https://api.telegram.org", token: str = BOT_TOKEN):
    secrets = {"bot_token": token, "secret_token": SECRET}
    return TelegramAdapter(ChannelConfig(channel_id=1, api_base=api_base, secrets=secrets))


def parse_fixture(name: str):
    return make_adapter().parse(webhook(fixture_body(name)))


# -- webhooks -----------------------------------------------------------------------------


def test_handshake_is_not_allowed():
    assert make_adapter().handshake(webhook(b"")).status == 405


def test_verify_accepts_the_secret_token():
    make_adapter().verify(webhook(fixture_body("text_message")))


@pytest.mark.parametrize("secret", [None, "", "webhook-secret_43", SECRET + "x"])
def test_verify_rejects_a_missing_or_wrong_secret_token(secret):
    with pytest.raises(SignatureError):
        make_adapter().verify(webhook(fixture_body("text_message"), secret=secret))


def test_verify_rejects_everything_when_no_secret_is_configured():
    adapter = TelegramAdapter(
        ChannelConfig(channel_id=1, api_base="", secrets={"bot_token": BOT_TOKEN})
    )
    with pytest.raises(SignatureError):
        adapter.verify(webhook(b"{}", secret=""))


def test_parse_text_message():
    (message,) = parse_fixture("text_message").messages
    assert message.provider_message_id == "912345001"
    assert message.urn == "telegram:123456789"
    assert message.text == "Hay una farola rota en la calle Mayor 3"
    assert message.contact_name == "Lucía Gómez"
    assert message.language_hint == "es"
    assert message.received_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert not message.edited


def test_parse_photo_keeps_the_largest_size_and_the_caption():
    (message,) = parse_fixture("photo_message").messages
    assert message.text == "Farola"
    assert message.attachments == (
        Attachment(kind="image", media_ref="AgACAgQAAxkBAAIBx", caption="Farola"),
    )


def test_parse_document():
    (message,) = parse_fixture("document_message").messages
    (attachment,) = message.attachments
    assert attachment.kind == "document"
    assert attachment.media_ref == "BQACAgQAAxkBAAIBd"
    assert (attachment.content_type, attachment.filename) == ("application/pdf", "denuncia.pdf")
    assert message.text == "Denuncia firmada"


def test_parse_voice_note_as_audio():
    (message,) = parse_fixture("voice_message").messages
    assert message.attachments == (
        Attachment(kind="audio", media_ref="AwACAgQAAxkBAAIBv", content_type="audio/ogg"),
    )
    assert message.text == ""


def test_parse_location():
    (message,) = parse_fixture("location_message").messages
    assert message.location == Location(latitude=40.4168, longitude=-3.7038)
    assert message.urn == "telegram:123456789"


def test_parse_own_contact_gives_the_phone_as_text_and_a_tel_urn():
    (message,) = parse_fixture("contact_message").messages
    assert message.text == "34600111222"
    assert message.extra_urns == ("tel:+34600111222",)


def test_parse_edited_message_has_its_own_id_and_the_edit_time():
    (message,) = parse_fixture("edited_message").messages
    assert message.edited
    assert message.provider_message_id == "912345008"
    assert message.text.endswith("Mayor 5")
    assert message.received_at == dt.datetime(2026, 1, 1, 0, 0, 30, tzinfo=dt.UTC)


def test_parse_callback_query_gives_the_choice_and_the_id_to_answer():
    (message,) = parse_fixture("callback_query").messages
    assert message.choice == "resolved:4411:yes"
    assert message.callback_id == "4382bfdwdsb323b2d9"
    assert message.text == "Sí"  # the label of the pressed button
    assert message.urn == "telegram:123456789"
    assert message.language_hint == "es"


def test_parse_resident_blocking_the_bot_is_an_unfollow():
    parsed = parse_fixture("my_chat_member_kicked")
    (event,) = parsed.events
    assert (event.kind, event.urn) == ("unfollow", "telegram:123456789")
    assert not parsed.messages


def test_parse_channel_post_is_named_and_unsupported():
    (event,) = parse_fixture("channel_post").events
    assert (event.kind, event.name, event.provider_event_id) == (
        "unsupported",
        "channel_post",
        "912345010",
    )


def test_parse_group_message_is_not_taken_as_a_resident_message():
    parsed = parse_fixture("group_message")
    assert not parsed.messages
    assert parsed.events[0].name == "message:supergroup"


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"message": {"text": "hola"}}',
        b'{"update_id": "1", "message": {}}',
        b'{"update_id": 1, "message": {"text": "no chat"}}',
        b'{"update_id": 1, "message": "text"}',
        b'{"update_id": 1, "callback_query": {"id": "x"}}',
    ],
)
def test_parse_rejects_malformed_bodies(body):
    with pytest.raises(MalformedPayload):
        make_adapter().parse(webhook(body))


# -- against the fake ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[str, FakeHub]]:
    server, hub = start(hub=FakeHub({"telegram": TelegramFake}))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base, hub
    server.shutdown()
    server.server_close()


@pytest.fixture
def hub(fake, http_client) -> FakeHub:
    base, hub = fake
    http_client.post(f"{base}/_control/reset").raise_for_status()
    secrets = {"bot_token": BOT_TOKEN, "secret_token": SECRET}
    hub.channels[:] = [FakeChannel("telegram", WEBHOOK_URL, secrets)]
    return hub


@pytest.fixture
def adapter(fake, hub) -> TelegramAdapter:
    return make_adapter(api_base=f"{fake[0]}/telegram")


@pytest.fixture(scope="module")
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http_client:
        yield http_client


def last_call(hub: FakeHub) -> tuple[str, Any]:
    call = hub.received[-1]
    return call["path"].replace(BOT_TOKEN, "<token>"), json.loads(call["body"] or "null")


def inject_fault(fake, http_client: httpx.Client, **fault: Any) -> None:
    http_client.post(f"{fake[0]}/_control/telegram/faults", json=fault).raise_for_status()


def test_send_text_with_choices_as_an_inline_keyboard(adapter, hub, http_client):
    choices = (Choice("yes", "Sí"), Choice("no", "No"))
    message = OutboundMessage(urn="telegram:123456789", text="¿Resuelto?", choices=choices)
    result = adapter.send(http_client, message)
    path, body = last_call(hub)
    assert path == "/bot<token>/sendMessage"
    assert body == {
        "chat_id": 123456789,
        "text": "¿Resuelto?",
        "reply_markup": {
            "inline_keyboard": [
                [{"text": "Sí", "callback_data": "yes"}],
                [{"text": "No", "callback_data": "no"}],
            ]
        },
    }
    chat_id, _, message_id = result.provider_message_id.partition(":")
    assert chat_id == "123456789" and message_id.isdigit()  # message ids are per chat


def test_send_photo_by_url_with_caption(adapter, hub, http_client):
    attachment = OutboundAttachment(
        url="https://desk.example.org/m/1.jpg", content_type="image/jpeg"
    )
    message = OutboundMessage(urn="telegram:123456789", text="Foto", attachment=attachment)
    adapter.send(http_client, message)
    assert last_call(hub) == (
        "/bot<token>/sendPhoto",
        {"chat_id": 123456789, "photo": "https://desk.example.org/m/1.jpg", "caption": "Foto"},
    )


def test_send_document_then_a_long_text_separately(adapter, hub, http_client):
    url = "https://desk.example.org/m/certificado.pdf"
    attachment = OutboundAttachment(url=url, content_type="application/pdf")
    message = OutboundMessage(urn="telegram:123456789", text="x" * 1500, attachment=attachment)
    adapter.send(http_client, message)
    paths = [call["path"].rsplit("/", 1)[-1] for call in hub.received]
    assert paths == ["sendDocument", "sendMessage"]
    assert json.loads(hub.received[0]["body"]) == {"chat_id": 123456789, "document": url}


def test_send_location_and_venue(adapter, hub, http_client):
    adapter.send(http_client, OutboundMessage(urn="telegram:1", location=Location(40.4, -3.7)))
    assert last_call(hub) == (
        "/bot<token>/sendLocation",
        {"chat_id": 1, "latitude": 40.4, "longitude": -3.7},
    )
    office = Location(40.4, -3.7, name="Registro", address="Plaza Mayor 1")
    adapter.send(http_client, OutboundMessage(urn="telegram:1", location=office))
    assert last_call(hub)[1]["title"] == "Registro"


def test_send_refuses_a_foreign_urn_or_an_empty_message(adapter, http_client):
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn="line:Uabc", text="hola"))
    assert not excinfo.value.retryable
    with pytest.raises(SendError):
        adapter.send(http_client, OutboundMessage(urn="telegram:1"))


def test_send_throttled_is_retryable_after_retry_after(fake, adapter, http_client):
    body = {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 30",
        "parameters": {"retry_after": 30},
    }
    inject_fault(fake, http_client, status=429, body=body)
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn="telegram:1", text="hola"))
    error = excinfo.value
    assert (error.retryable, error.retry_after, error.code) == (True, 30, "429")


def test_send_to_a_resident_who_blocked_the_bot_is_permanent_and_stops_them(
    fake, adapter, http_client
):
    body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
    inject_fault(fake, http_client, status=403, body=body)
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn="telegram:1", text="hola"))
    assert (excinfo.value.retryable, excinfo.value.resident_stopped) == (False, True)


@pytest.mark.parametrize(
    ("status", "description", "retryable"),
    [
        (400, "Bad Request: chat not found", False),
        (500, "Internal Server Error", True),
        (502, "Bad Gateway", True),
    ],
)
def test_send_maps_other_errors(fake, adapter, http_client, status, description, retryable):
    body = {"ok": False, "error_code": status, "description": description}
    inject_fault(fake, http_client, status=status, body=body)
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn="telegram:1", text="hola"))
    assert excinfo.value.retryable is retryable
    assert not excinfo.value.resident_stopped


def test_send_with_a_bad_token_is_permanent_and_never_shows_the_token(fake, hub, http_client):
    adapter = make_adapter(api_base=f"{fake[0]}/telegram", token="123:revoked-token")
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn="telegram:1", text="hola"))
    assert (excinfo.value.retryable, excinfo.value.code) == (False, "401")
    assert "revoked-token" not in str(excinfo.value)


def test_send_network_failure_is_retryable_and_never_shows_the_token(http_client):
    adapter = make_adapter(api_base="http://127.0.0.1:9")
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn="telegram:1", text="hola"))
    assert excinfo.value.retryable
    assert BOT_TOKEN not in str(excinfo.value)
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__


def test_resident_message_from_the_fake_verifies_and_parses(fake, hub):
    delivery = hub.providers["telegram"].resident_message(
        hub.channels[0],
        {"from": "+34600111222", "name": "Ana Ruiz", "text": "Hola", "language": "ca"},
    )
    request = WebhookRequest("POST", WEBHOOK_URL, delivery.headers, delivery.body)
    adapter = make_adapter()
    adapter.verify(request)
    (message,) = adapter.parse(request).messages
    assert message.provider_message_id == delivery.headers["x-fake-message-id"]
    assert (message.text, message.contact_name, message.language_hint) == ("Hola", "Ana Ruiz", "ca")
    assert message.urn.startswith("telegram:") and message.urn[9:].isdigit()


def test_image_from_the_fake_downloads_through_get_file(adapter, hub, http_client):
    delivery = hub.providers["telegram"].resident_message(
        hub.channels[0], {"from": "555", "image": True, "text": "Bache"}
    )
    (message,) = adapter.parse(WebhookRequest("POST", WEBHOOK_URL, {}, delivery.body)).messages
    (attachment,) = message.attachments
    data, content_type = adapter.download(http_client, attachment)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert content_type == "image/png"
    assert last_call(hub)[0].startswith("/file/bot<token>/photos/")
    assert hub.received[-2]["query"] == {"file_id": attachment.media_ref}


def test_download_of_an_unknown_file_is_permanent(adapter, http_client):
    with pytest.raises(SendError) as excinfo:
        adapter.download(http_client, Attachment(kind="image", media_ref="nope"))
    assert not excinfo.value.retryable


def test_answer_callback_once(adapter, hub, http_client):
    delivery = hub.providers["telegram"].resident_message(
        hub.channels[0], {"from": "555", "choice": "menu:status"}
    )
    (message,) = adapter.parse(WebhookRequest("POST", WEBHOOK_URL, {}, delivery.body)).messages
    assert message.choice == "menu:status"
    adapter.answer_callback(http_client, message.callback_id)
    assert last_call(hub) == (
        "/bot<token>/answerCallbackQuery",
        {"callback_query_id": message.callback_id},
    )
    with pytest.raises(SendError) as excinfo:  # Telegram refuses a second answer
        adapter.answer_callback(http_client, message.callback_id)
    assert "query is too old" in excinfo.value.reason


def test_set_webhook_sends_the_secret_token_and_the_updates_we_handle(adapter, hub, http_client):
    adapter.set_webhook(http_client, "https://desk.example.org/hooks/telegram/9/")
    assert last_call(hub) == (
        "/bot<token>/setWebhook",
        {
            "url": "https://desk.example.org/hooks/telegram/9/",
            "secret_token": SECRET,
            "allowed_updates": ["message", "edited_message", "callback_query", "my_chat_member"],
        },
    )
    assert hub.channels[0].webhook_url == "https://desk.example.org/hooks/telegram/9/"


def test_set_webhook_refuses_a_channel_without_secret_token(http_client):
    adapter = TelegramAdapter(
        ChannelConfig(channel_id=1, api_base="http://127.0.0.1:9", secrets={"bot_token": BOT_TOKEN})
    )
    with pytest.raises(SendError) as excinfo:
        adapter.set_webhook(http_client, "https://desk.example.org/hooks/telegram/1/")
    assert excinfo.value.code == "config"
