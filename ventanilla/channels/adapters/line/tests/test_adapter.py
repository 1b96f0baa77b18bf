"""The LINE adapter against saved webhooks and the local LINE fake."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
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
from ventanilla.channels.adapters.line import LineAdapter
from ventanilla.channels.adapters.line.adapter import retry_key, signature
from ventanilla.fakes.line import LineFake
from ventanilla.fakes.server import FakeChannel, FakeHub, start

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CHANNEL_SECRET = "line-channel-secret"
ACCESS_TOKEN = "line-access-token-abc"
USER = "U4af4980629a1b2c3d4e5f60718293a4b"
WEBHOOK_URL = "https://desk.example.org/hooks/line/2/"


def fixture_body(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def webhook(body: bytes, sig: str | None = None) -> WebhookRequest:
    headers = {"Content-Type": "application/json"}
    headers["X-Line-Signature"] = signature(CHANNEL_SECRET, body) if sig is None else sig
    return WebhookRequest(method="POST", url=WEBHOOK_URL, headers=headers, body=body)


def make_adapter(api_base: str = "https://api.line.me", **options: Any) -> LineAdapter:
    secrets = {"channel_secret": CHANNEL_SECRET, "access_token": ACCESS_TOKEN}
    config = ChannelConfig(channel_id=2, api_base=api_base, secrets=secrets, options=options)
    return LineAdapter(config)


def parse_fixture(name: str):
    return make_adapter().parse(webhook(fixture_body(name)))


# -- webhooks -----------------------------------------------------------------------------


def test_verify_accepts_the_reference_test_vector():
    body = b'{"destination":"Uxxxxxxxx","events":[]}'
    make_adapter().verify(webhook(body, sig="fsX7HM+IL9GOeOvVukHf1IXDq/VJbEuHpw69NTEoOnw="))


@pytest.mark.parametrize(
    ("body", "sig"),
    [
        (b'{"destination":"Uxxxxxxxx","events":[]}', ""),
        (
            b'{"destination":"Uxxxxxxxx","events":[] }',
            "fsX7HM+IL9GOeOvVukHf1IXDq/VJbEuHpw69NTEoOnw=",
        ),
        (
            b'{"destination":"Uxxxxxxxx","events":[]}',
            "fsX7HM+IL9GOeOvVukHf1IXDq/VJbEuHpw69NTEoOnx=",
        ),
    ],
    ids=["missing", "tampered-body", "wrong-signature"],
)
def test_verify_rejects_bad_signatures(body, sig):
    with pytest.raises(SignatureError):
        make_adapter().verify(webhook(body, sig=sig))


def test_handshake_is_not_allowed():
    assert make_adapter().handshake(webhook(b"")).status == 405


def test_parse_text_message():
    (message,) = parse_fixture("text_message").messages
    assert message.provider_message_id == "468789577898262530"
    assert message.urn == f"line:{USER}"
    assert message.text == "Hay una farola rota"
    assert message.reply_token == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    assert message.received_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_parse_image_message_refers_to_the_message_id():
    (message,) = parse_fixture("image_message").messages
    assert message.attachments == (Attachment(kind="image", media_ref="468789577898262531"),)


def test_parse_location_message():
    (message,) = parse_fixture("location_message").messages
    assert message.location == Location(40.4168, -3.7038, "Mi ubicación", "Calle Mayor 3, Madrid")


def test_parse_sticker_message():
    (message,) = parse_fixture("sticker_message").messages
    (sticker,) = message.attachments
    assert (sticker.kind, sticker.media_ref) == ("sticker", "sticker:446:1988")
    assert sticker.caption == "thumbs up, OK"


def test_parse_follow_and_unfollow():
    (follow,) = parse_fixture("follow").events
    (unfollow,) = parse_fixture("unfollow").events
    assert (follow.kind, follow.urn) == ("follow", f"line:{USER}")
    assert (unfollow.kind, unfollow.provider_event_id) == ("unfollow", "01JG7Z8K3QWERTYASDFGZXCVU1")


def test_parse_postback_gives_the_choice():
    (message,) = parse_fixture("postback").messages
    assert message.choice == "resolved:4411:yes"
    assert message.provider_message_id == "01JG7Z8K3QWERTYASDFGZXCVP1"
    assert message.reply_token == "8d0f4c3b6e5a7f9b1c2d3e4f50617283"


def test_parse_several_events_keeps_their_order():
    parsed = parse_fixture("several_events")
    assert [m.provider_message_id for m in parsed.messages] == [
        "468789577898262530",
        "468789577898262531",
    ]
    assert [e.kind for e in parsed.events] == ["follow", "unfollow"]


def test_parse_verify_call_has_nothing():
    parsed = parse_fixture("verify_empty")
    assert (parsed.messages, parsed.events, parsed.statuses) == ([], [], [])


def test_parse_unsupported_event_is_named():
    (event,) = parse_fixture("beacon_unsupported").events
    assert (event.kind, event.name, event.urn) == ("unsupported", "beacon", f"line:{USER}")


def test_parse_group_message_is_not_taken_as_a_resident_message():
    parsed = parse_fixture("group_message")
    assert not parsed.messages
    assert parsed.events[0].name == "message:group"


def test_parse_redelivery_gives_the_same_id_as_the_first_delivery():
    (first,) = parse_fixture("text_message").messages
    (again,) = parse_fixture("redelivery").messages
    assert again == first


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe",
        b"[]",
        b'{"destination": "U1"}',
        b'{"events": {}}',
        b'{"events": ["message"]}',
        b'{"events": [{"type": "message", "source": {"type": "user", "userId": "U1"}}]}',
        b'{"events": [{"type": "postback", "source": {"type": "user", "userId": "U1"}}]}',
    ],
)
def test_parse_rejects_malformed_bodies(body):
    with pytest.raises(MalformedPayload):
        make_adapter().parse(webhook(body))


def test_retry_key_keeps_uuids_and_derives_one_from_anything_else():
    key = "0b7b3c4e-2f57-4b8e-9d0c-5a3c2f1e9a77"
    assert retry_key(key) == key
    assert retry_key("outbound:42") == retry_key("outbound:42")
    assert uuid.UUID(retry_key("outbound:42")).version == 5


def test_content_host_defaults_to_api_data_for_the_real_api():
    adapter = make_adapter()
    assert adapter._data_api == "https://api-data.line.me"
    assert make_adapter("http://fake/line")._data_api == "http://fake/line"


# -- against the fake ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fake() -> Iterator[tuple[str, FakeHub]]:
    server, hub = start(hub=FakeHub({"line": LineFake}))
    yield f"http://127.0.0.1:{server.server_address[1]}", hub
    server.shutdown()
    server.server_close()


@pytest.fixture
def hub(fake, http_client) -> FakeHub:
    base, hub = fake
    http_client.post(f"{base}/_control/reset").raise_for_status()
    secrets = {"channel_secret": CHANNEL_SECRET, "access_token": ACCESS_TOKEN}
    hub.channels[:] = [FakeChannel("line", WEBHOOK_URL, secrets)]
    hub.providers["line"].clock = time.monotonic
    return hub


@pytest.fixture
def adapter(fake, hub) -> LineAdapter:
    return make_adapter(f"{fake[0]}/line")


@pytest.fixture(scope="module")
def http_client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http_client:
        yield http_client


def resident_says(hub: FakeHub, adapter: LineAdapter, **spec: Any):
    delivery = hub.providers["line"].resident_message(hub.channels[0], {"from": USER, **spec})
    request = WebhookRequest("POST", WEBHOOK_URL, delivery.headers, delivery.body)
    adapter.verify(request)
    return delivery, adapter.parse(request)


def calls(hub: FakeHub) -> list[tuple[str, Any]]:
    return [(call["path"], json.loads(call["body"] or "null")) for call in hub.received]


def inject_fault(fake, http_client: httpx.Client, **fault: Any) -> None:
    http_client.post(f"{fake[0]}/_control/line/faults", json=fault).raise_for_status()


def test_push_text_with_quick_replies_and_a_retry_key(adapter, hub, http_client):
    choices = (Choice("yes", "Sí"), Choice("no", "No, todavía no está arreglada"))
    message = OutboundMessage(
        urn=f"line:{USER}", text="¿Resuelto?", choices=choices, idempotency_key="outbound:7"
    )
    result = adapter.send(http_client, message)
    ((path, body),) = calls(hub)
    assert path == "/v2/bot/message/push"
    assert body == {
        "to": USER,
        "messages": [
            {
                "type": "text",
                "text": "¿Resuelto?",
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {
                                "type": "postback",
                                "label": "Sí",
                                "data": "yes",
                                "displayText": "Sí",
                            },
                        },
                        {
                            "type": "action",
                            "action": {
                                "type": "postback",
                                "label": "No, todavía no está…",
                                "data": "no",
                                "displayText": "No, todavía no está arreglada",
                            },
                        },
                    ]
                },
            }
        ],
    }
    headers = hub.received[0]["headers"]
    assert headers["x-line-retry-key"] == retry_key("outbound:7")
    assert headers["authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert result.provider_message_id.isdigit()


def test_push_image_and_location(adapter, hub, http_client):
    url = "https://desk.example.org/m/aviso.png"
    message = OutboundMessage(
        urn=f"line:{USER}",
        attachment=OutboundAttachment(url=url, content_type="image/png"),
        location=Location(40.4168, -3.7038, name="Registro", address="Plaza Mayor 1"),
    )
    adapter.send(http_client, message)
    assert calls(hub)[0][1]["messages"] == [
        {"type": "image", "originalContentUrl": url, "previewImageUrl": url},
        {
            "type": "location",
            "title": "Registro",
            "address": "Plaza Mayor 1",
            "latitude": 40.4168,
            "longitude": -3.7038,
        },
    ]


def test_reply_uses_a_fresh_reply_token(adapter, hub, http_client):
    _, parsed = resident_says(hub, adapter, text="Hola")
    (inbound,) = parsed.messages
    message = OutboundMessage(urn=inbound.urn, text="Recibido", reply_token=inbound.reply_token)
    adapter.send(http_client, message)
    assert calls(hub) == [
        (
            "/v2/bot/message/reply",
            {"replyToken": inbound.reply_token, "messages": [{"type": "text", "text": "Recibido"}]},
        )
    ]
    assert "x-line-retry-key" not in hub.received[0]["headers"]


def test_expired_reply_token_falls_back_to_push(adapter, hub, http_client):
    _, parsed = resident_says(hub, adapter, text="Hola")
    (inbound,) = parsed.messages
    hub.providers["line"].clock = lambda: time.monotonic() + 61
    message = OutboundMessage(
        urn=inbound.urn, text="Recibido", reply_token=inbound.reply_token, idempotency_key="k1"
    )
    result = adapter.send(http_client, message)
    assert [path for path, _ in calls(hub)] == ["/v2/bot/message/reply", "/v2/bot/message/push"]
    assert result.provider_message_id.isdigit()


def test_reused_retry_key_is_success_with_the_accepted_request_id(adapter, hub, http_client):
    message = OutboundMessage(urn=f"line:{USER}", text="Aviso", idempotency_key="outbound:9")
    adapter.send(http_client, message)  # accepted by LINE, but say its answer never reached us
    result = adapter.send(http_client, message)
    accepted_request_id, _ = hub.providers["line"].retry_keys[
        (ACCESS_TOKEN, retry_key("outbound:9"))
    ]
    assert result.provider_message_id == accepted_request_id
    assert [call["headers"]["x-line-retry-key"] for call in hub.received] == [
        retry_key("outbound:9")
    ] * 2


@pytest.mark.parametrize(
    ("status", "body", "headers", "retryable", "retry_after"),
    [
        (
            429,
            {"message": "The API rate limit has been exceeded. Try again later."},
            {},
            True,
            None,
        ),
        (429, {"message": "Too many requests"}, {"Retry-After": "7"}, True, 7),
        (429, {"message": "You have reached your monthly limit."}, {}, False, None),
        (500, {"message": "Internal error"}, {}, True, None),
        (400, {"message": "The request body has 1 error(s)"}, {}, False, None),
        (403, {"message": "Access to this API is not available for your account"}, {}, False, None),
    ],
)
def test_push_error_mapping(
    fake, adapter, http_client, status, body, headers, retryable, retry_after
):
    inject_fault(fake, http_client, status=status, body=body, headers=headers)
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn=f"line:{USER}", text="hola"))
    assert (excinfo.value.retryable, excinfo.value.retry_after) == (retryable, retry_after)


def test_send_with_a_bad_access_token_is_permanent(fake, hub, http_client):
    secrets = {"channel_secret": CHANNEL_SECRET, "access_token": "revoked"}
    adapter = LineAdapter(ChannelConfig(channel_id=2, api_base=f"{fake[0]}/line", secrets=secrets))
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn=f"line:{USER}", text="hola"))
    assert (excinfo.value.retryable, excinfo.value.code) == (False, "401")


def test_send_network_failure_is_retryable(http_client):
    adapter = make_adapter("http://127.0.0.1:9")
    with pytest.raises(SendError) as excinfo:
        adapter.send(http_client, OutboundMessage(urn=f"line:{USER}", text="hola"))
    assert excinfo.value.retryable


def test_resident_message_from_the_fake_verifies_and_parses(adapter, hub):
    delivery, parsed = resident_says(hub, adapter, text="Farola rota")
    (message,) = parsed.messages
    assert message.provider_message_id == delivery.headers["x-fake-message-id"]
    assert (message.urn, message.text) == (f"line:{USER}", "Farola rota")


def test_resident_choice_from_the_fake_is_a_postback(adapter, hub):
    delivery, parsed = resident_says(hub, adapter, choice="menu:status")
    (message,) = parsed.messages
    assert message.choice == "menu:status"
    assert message.provider_message_id == delivery.headers["x-fake-message-id"]


def test_image_from_the_fake_downloads_from_the_content_endpoint(adapter, hub, http_client):
    _, parsed = resident_says(hub, adapter, image=True)
    (attachment,) = parsed.messages[0].attachments
    data, content_type = adapter.download(http_client, attachment)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert content_type == "image/png"
    assert hub.received[-1]["path"] == f"/v2/bot/message/{attachment.media_ref}/content"


def test_stickers_have_no_content_to_download(adapter, http_client):
    sticker = Attachment(kind="sticker", media_ref="sticker:446:1988")
    with pytest.raises(SendError) as excinfo:
        adapter.download(http_client, sticker)
    assert not excinfo.value.retryable
