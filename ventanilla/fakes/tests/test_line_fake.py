"""The LINE fake answers like the Messaging API and plays residents through the control API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ventanilla.channels.adapters.base import ChannelConfig, WebhookRequest
from ventanilla.channels.adapters.line import LineAdapter
from ventanilla.fakes.line import LineFake, line_user_id
from ventanilla.fakes.server import FakeHub, FakeRequest, FakeResponse, start

CHANNEL_SECRET = "line-channel-secret"
ACCESS_TOKEN = "line-access-token-abc"
USER = "U4af4980629a1b2c3d4e5f60718293a4b"
TEXT = [{"type": "text", "text": "Hola"}]


http = httpx.Client(timeout=5)  # one client: building one per call costs an SSL context


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeHub]]:
    server, hub = start(hub=FakeHub({"line": LineFake}))
    yield f"http://127.0.0.1:{server.server_address[1]}", hub
    server.shutdown()
    server.server_close()
    http.close()


@pytest.fixture
def base(server) -> str:
    """Register one official account whose webhook is a route of the fake server itself."""
    base, hub = server
    http.post(f"{base}/_control/reset").raise_for_status()
    hub.channels.clear()
    hub.providers["line"].clock = time.monotonic
    channel = {
        "provider": "line",
        "webhook_url": f"{base}/hook/line",
        "secrets": {"channel_secret": CHANNEL_SECRET, "access_token": ACCESS_TOKEN},
    }
    http.post(f"{base}/_control/channels", json=channel).raise_for_status()
    return base


@pytest.fixture
def fake(server) -> LineFake:
    return server[1].providers["line"]


def post(base: str, path: str, body: Any, token: str = ACCESS_TOKEN, **headers: str):
    headers = {"Authorization": f"Bearer {token}", **headers}
    return http.post(f"{base}/line{path}", json=body, headers=headers)


def reply_token_for(fake: LineFake, server) -> str:
    delivery = fake.resident_message(server[1].channels[0], {"from": USER, "text": "Hola"})
    return json.loads(delivery.body)["events"][0]["replyToken"]


def test_missing_or_unknown_bearer_is_refused_with_a_request_id(base):
    response = post(base, "/v2/bot/message/push", {"to": USER, "messages": TEXT}, token="nope")
    assert response.status_code == 401
    assert "Authentication failed" in response.json()["message"]
    assert response.headers["x-line-request-id"]


def test_push_returns_sent_messages(base):
    response = post(base, "/v2/bot/message/push", {"to": USER, "messages": TEXT * 2})
    assert response.status_code == 200
    sent = response.json()["sentMessages"]
    assert len(sent) == 2 and all(m["id"].isdigit() and m["quoteToken"] for m in sent)


def test_push_with_a_reused_retry_key_is_409_with_the_accepted_request_id(base):
    key = str(uuid.uuid4())
    first = post(
        base, "/v2/bot/message/push", {"to": USER, "messages": TEXT}, **{"X-Line-Retry-Key": key}
    )
    again = post(
        base, "/v2/bot/message/push", {"to": USER, "messages": TEXT}, **{"X-Line-Retry-Key": key}
    )
    assert again.status_code == 409
    assert again.headers["x-line-accepted-request-id"] == first.headers["x-line-request-id"]
    assert again.headers["x-line-request-id"] != first.headers["x-line-request-id"]
    assert again.json() == {
        "message": "The retry key is already accepted",
        "sentMessages": first.json()["sentMessages"],
    }


@pytest.mark.parametrize(
    ("body", "headers", "message"),
    [
        (
            {"to": "someone", "messages": TEXT},
            {},
            "The property, 'to', in the request body is invalid",
        ),
        ({"to": USER, "messages": TEXT}, {"X-Line-Retry-Key": "not-a-uuid"}, "X-Line-Retry-Key"),
        ({"to": USER, "messages": []}, {}, "The request body has 1 error(s)"),
        ({"to": USER, "messages": TEXT * 6}, {}, "The request body has 1 error(s)"),
        (
            {"to": USER, "messages": [{"type": "text", "text": ""}]},
            {},
            "The request body has 1 error(s)",
        ),
        ({"to": USER, "messages": [{"type": "image"}]}, {}, "The request body has 2 error(s)"),
    ],
)
def test_push_refuses_what_line_refuses(base, body, headers, message):
    response = post(base, "/v2/bot/message/push", body, **headers)
    assert response.status_code == 400
    assert message in response.json()["message"]


def test_quick_reply_labels_over_20_characters_are_refused(base):
    action = {"type": "postback", "label": "x" * 21, "data": "d"}
    messages = [
        {
            "type": "text",
            "text": "?",
            "quickReply": {"items": [{"type": "action", "action": action}]},
        }
    ]
    response = post(base, "/v2/bot/message/push", {"to": USER, "messages": messages})
    assert response.status_code == 400
    assert response.json()["details"] == [
        {
            "message": "Length must be between 1 and 20",
            "property": "messages[0].quickReply.items[0].action.label",
        }
    ]


def test_reply_token_is_single_use(server, base, fake):
    token = reply_token_for(fake, server)
    first = post(base, "/v2/bot/message/reply", {"replyToken": token, "messages": TEXT})
    again = post(base, "/v2/bot/message/reply", {"replyToken": token, "messages": TEXT})
    assert first.status_code == 200 and first.json()["sentMessages"]
    assert (again.status_code, again.json()) == (400, {"message": "Invalid reply token"})


def test_reply_token_expires_after_a_minute(server, base, fake):
    token = reply_token_for(fake, server)
    fake.clock = lambda: time.monotonic() + 60
    response = post(base, "/v2/bot/message/reply", {"replyToken": token, "messages": TEXT})
    assert (response.status_code, response.json()) == (400, {"message": "Invalid reply token"})


def test_reply_refuses_a_retry_key(server, base, fake):
    token = reply_token_for(fake, server)
    body = {"replyToken": token, "messages": TEXT}
    response = post(base, "/v2/bot/message/reply", body, **{"X-Line-Retry-Key": str(uuid.uuid4())})
    assert response.status_code == 400


def test_content_of_an_unknown_message_is_not_found(base):
    response = http.get(
        f"{base}/line/v2/bot/message/1234/content",
        headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
    )
    assert response.status_code == 404


def test_resident_image_content_downloads_only_for_its_channel(server, base, fake):
    delivery = fake.resident_message(server[1].channels[0], {"from": USER, "image": True})
    message_id = delivery.headers["x-fake-message-id"]
    url = f"{base}/line/v2/bot/message/{message_id}/content"
    response = http.get(url, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"})
    assert (response.status_code, response.headers["content-type"]) == (200, "image/png")
    assert response.content.startswith(b"\x89PNG")
    assert http.get(url).status_code == 401


def test_resident_message_is_signed_and_real_shaped(server, fake):
    delivery = fake.resident_message(
        server[1].channels[0], {"from": "+34600111222", "text": "Hola"}
    )
    digest = hmac.new(CHANNEL_SECRET.encode(), delivery.body, hashlib.sha256).digest()
    assert delivery.headers["x-line-signature"] == base64.b64encode(digest).decode()
    body = json.loads(delivery.body)
    (event,) = body["events"]
    assert body["destination"].startswith("U")
    assert event["source"] == {"type": "user", "userId": line_user_id("+34600111222")}
    assert (event["type"], event["mode"], event["message"]["text"]) == ("message", "active", "Hola")
    assert len(event["webhookEventId"]) == 26
    assert event["deliveryContext"] == {"isRedelivery": False}
    assert event["message"]["id"] == delivery.headers["x-fake-message-id"]


def test_resident_follow_unfollow_and_empty_verify(server, fake):
    channel = server[1].channels[0]
    follow = json.loads(fake.resident_message(channel, {"from": USER, "event": "follow"}).body)
    unfollow = json.loads(fake.resident_message(channel, {"from": USER, "event": "unfollow"}).body)
    empty = json.loads(fake.resident_message(channel, {"from": USER}).body)
    assert follow["events"][0]["type"] == "follow" and follow["events"][0]["replyToken"]
    assert unfollow["events"][0]["type"] == "unfollow" and "replyToken" not in unfollow["events"][0]
    assert empty["events"] == []


def test_redelivery_keeps_the_ids_and_is_signed_again(server, fake):
    channel = server[1].channels[0]
    first = fake.resident_message(channel, {"from": USER, "text": "Hola"})
    again = fake.redelivery(channel, first)
    event, repeated = json.loads(first.body)["events"][0], json.loads(again.body)["events"][0]
    assert repeated["deliveryContext"] == {"isRedelivery": True}
    assert repeated["webhookEventId"] == event["webhookEventId"]
    assert again.headers["x-fake-message-id"] == first.headers["x-fake-message-id"]
    assert again.headers["x-line-signature"] != first.headers["x-line-signature"]


def test_control_inbound_delivers_events_the_adapter_accepts(server, base):
    _, hub = server
    secrets = {"channel_secret": CHANNEL_SECRET, "access_token": ACCESS_TOKEN}
    adapter = LineAdapter(ChannelConfig(channel_id=2, api_base="", secrets=secrets))
    received: list[Any] = []

    def webhook(request: FakeRequest) -> FakeResponse:
        incoming = WebhookRequest("POST", "", request.headers, request.body)
        adapter.verify(incoming)
        received.append(adapter.parse(incoming))
        return FakeResponse.json({})

    hub.extra_routes["/hook/line"] = webhook
    spec = {"from": USER, "text": "Bache", "location": {"latitude": 40.4, "longitude": -3.7}}
    answer = http.post(f"{base}/_control/line/inbound", json=spec).json()
    assert answer["status"] == 200
    located, said = received[0].messages
    assert located.location is not None and located.location.latitude == 40.4
    assert (said.text, said.urn, said.provider_message_id) == (
        "Bache",
        f"line:{USER}",
        answer["message_id"],
    )
    assert said.reply_token


def test_user_ids_are_stable_and_well_formed():
    assert line_user_id(USER) == USER
    derived = line_user_id("+34600111222")
    assert derived == line_user_id("+34600111222")
    assert len(derived) == 33 and derived.startswith("U")
