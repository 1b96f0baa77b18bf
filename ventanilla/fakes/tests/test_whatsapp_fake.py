"""The WhatsApp fake speaks the Cloud API's wire format: checked with raw HTTP, not the adapter."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
import time
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ventanilla.fakes.server import FakeHub, FakeRequest, FakeResponse, serving
from ventanilla.fakes.whatsapp import WhatsAppFake, tiny_png

SECRETS = {
    "phone_number_id": "106540352242922",
    "access_token": "wa-token",
    "app_secret": "wa-secret",
    "verify_token": "verify",
}
HOOK_PATH = "/hooks/whatsapp/7/"
AUTH = {"Authorization": "Bearer wa-token"}


class Server:
    def __init__(self, base: str, hub: FakeHub, client: httpx.Client) -> None:
        self.base, self.hub = base, hub
        self.webhooks: list[FakeRequest] = []
        self.client = client  # one per module: building a client costs ~60 ms

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, f"{self.base}/whatsapp{path}", **kwargs)

    def send(self, payload: dict[str, Any], headers: dict[str, str] = AUTH) -> httpx.Response:
        return self.api(
            "POST", f"/v21.0/{SECRETS['phone_number_id']}/messages", json=payload, headers=headers
        )

    def wait_for(self, needle: bytes, count: int) -> list[FakeRequest]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            hooks = [hook for hook in self.webhooks if needle in hook.body]
            if len(hooks) >= count:
                return hooks
            time.sleep(0.05)
        raise AssertionError(f"expected {count} webhooks")


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[str, FakeHub]]:
    with serving(WhatsAppFake) as running_fake:
        yield running_fake


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as shared:
        yield shared


@pytest.fixture
def server(running: tuple[str, FakeHub], client: httpx.Client) -> Iterator[Server]:
    helper = Server(*running, client)

    def receive(request: FakeRequest) -> FakeResponse:
        helper.webhooks.append(request)
        return FakeResponse(body=b"OK", content_type="text/plain")

    helper.hub.extra_routes[HOOK_PATH] = receive
    helper.client.post(f"{helper.base}/_control/reset")
    channel = {"provider": "whatsapp", "webhook_url": helper.base + HOOK_PATH, "secrets": SECRETS}
    helper.client.post(f"{helper.base}/_control/channels", json=channel)
    yield helper


def text(body: str = "Hola", to: str = "34600111222") -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}}


def signed_by_meta(hook: FakeRequest) -> bool:
    digest = hmac.new(b"wa-secret", hook.body, hashlib.sha256).hexdigest()
    return hook.headers["x-hub-signature-256"] == f"sha256={digest}"


def test_tiny_png_is_a_valid_png() -> None:
    png = tiny_png(size=4)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    offset, chunks = 8, {}
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind, data = png[offset + 4 : offset + 8], png[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", png[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks[kind] = data
        offset += 12 + length
    assert struct.unpack(">II", chunks[b"IHDR"][:8]) == (4, 4)
    assert len(zlib.decompress(chunks[b"IDAT"])) == 4 * (1 + 3 * 4)
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]


def test_send_answers_wamid(server: Server) -> None:
    response = server.send(text())
    assert response.status_code == 200
    data = response.json()
    assert data["messaging_product"] == "whatsapp"
    assert data["contacts"] == [{"input": "34600111222", "wa_id": "34600111222"}]
    assert data["messages"][0]["id"].startswith("wamid.")


def test_send_to_username_id(server: Server) -> None:
    payload = text() | {"recipient": "ES.77"}
    del payload["to"]
    assert server.send(payload).json()["contacts"] == [{"input": "ES.77", "user_id": "ES.77"}]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "x"}])
def test_send_needs_the_channel_token(server: Server, headers: dict[str, str]) -> None:
    response = server.send(text(), headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 190
    assert response.json()["error"]["type"] == "OAuthException"


def test_send_from_another_number_is_refused(server: Server) -> None:
    response = server.api("POST", "/v21.0/999/messages", json=text(), headers=AUTH)
    assert (response.status_code, response.json()["error"]["code"]) == (400, 100)


def test_any_graph_version_is_accepted_but_not_garbage(server: Server) -> None:
    path = f"/{{}}/{SECRETS['phone_number_id']}/messages"
    assert server.api("POST", path.format("v25.0"), json=text(), headers=AUTH).status_code == 200
    assert server.api("POST", path.format("latest"), json=text(), headers=AUTH).status_code == 400


def buttons(count: int, title: str = "Sí") -> dict[str, Any]:
    action = {
        "buttons": [
            {"type": "reply", "reply": {"id": str(n), "title": title}} for n in range(count)
        ]
    }
    interactive = {"type": "button", "body": {"text": "¿Resuelto?"}, "action": action}
    return {
        "messaging_product": "whatsapp",
        "to": "1",
        "type": "interactive",
        "interactive": interactive,
    }


def rows(count: int) -> dict[str, Any]:
    section = {"rows": [{"id": str(n), "title": f"Fila {n}"} for n in range(count)]}
    interactive = {
        "type": "list",
        "body": {"text": "Elige"},
        "action": {"button": "Ver", "sections": [section]},
    }
    return {
        "messaging_product": "whatsapp",
        "to": "1",
        "type": "interactive",
        "interactive": interactive,
    }


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (buttons(4), 131009),
        (buttons(2, title="x" * 21), 131009),
        (rows(11), 131009),
        (text(""), 100),
        (text("x" * 4097), 100),
        (text() | {"messaging_product": "sms"}, 100),
        ({"messaging_product": "whatsapp", "to": "1", "type": "image", "image": {}}, 100),
    ],
)
def test_send_refuses_what_the_cloud_api_refuses(
    server: Server, payload: dict[str, Any], code: int
) -> None:
    response = server.send(payload)
    assert (response.status_code, response.json()["error"]["code"]) == (400, code)


@pytest.mark.parametrize("payload", [buttons(3), rows(10)])
def test_send_accepts_interactive_within_limits(server: Server, payload: dict[str, Any]) -> None:
    assert server.send(payload).status_code == 200


def test_mark_as_read(server: Server) -> None:
    payload = {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.X"}
    assert server.send(payload).json() == {"success": True}


def test_statuses_follow_a_send_signed(server: Server) -> None:
    wamid = server.send(text()).json()["messages"][0]["id"]
    hooks = server.wait_for(wamid.encode(), 3)
    assert all(signed_by_meta(hook) for hook in hooks)
    statuses = [
        json.loads(hook.body)["entry"][0]["changes"][0]["value"]["statuses"][0] for hook in hooks
    ]
    assert [(s["id"], s["status"], s["recipient_id"]) for s in statuses] == [
        (wamid, "sent", "34600111222"),
        (wamid, "delivered", "34600111222"),
        (wamid, "read", "34600111222"),
    ]


def test_media_metadata_then_bearer_download(server: Server) -> None:
    media_id = server.hub.store_media(b"%PDF-1.4 fake", "application/pdf")
    info = server.api("GET", f"/v21.0/{media_id}", headers=AUTH).json()
    assert info["id"] == media_id and info["mime_type"] == "application/pdf"
    assert info["file_size"] == 13
    assert info["sha256"] == hashlib.sha256(b"%PDF-1.4 fake").hexdigest()
    assert info["url"].startswith(f"{server.base}/whatsapp/media-download/{media_id}?")
    assert server.client.get(info["url"]).status_code == 401
    download = server.client.get(info["url"], headers=AUTH)
    assert download.content == b"%PDF-1.4 fake"
    assert download.headers["content-type"] == "application/pdf"


def test_media_url_expires(server: Server) -> None:
    media_id = server.hub.store_media(b"x", "image/png")
    url = f"{server.base}/whatsapp/media-download/{media_id}?exp={int(time.time()) - 1}"
    assert server.client.get(url, headers=AUTH).status_code == 404


def test_unknown_media(server: Server) -> None:
    response = server.api("GET", "/v21.0/123456", headers=AUTH)
    assert (response.status_code, response.json()["error"]["code"]) == (400, 100)


def test_injected_fault_then_normal(server: Server) -> None:
    fault = {"status": 400, "body": {"error": {"code": 131047, "message": "Re-engagement message"}}}
    server.client.post(f"{server.base}/_control/whatsapp/faults", json=fault)
    assert server.send(text()).json()["error"]["code"] == 131047
    assert server.send(text()).status_code == 200


def test_control_inbound_delivers_a_signed_resident_message(server: Server) -> None:
    spec = {"from": "+34600111222", "name": "Lucía", "text": "Farola rota en la calle Ñ"}
    answer = server.client.post(f"{server.base}/_control/whatsapp/inbound", json=spec).json()
    assert answer["status"] == 200 and answer["message_id"].startswith("wamid.")
    (hook,) = server.wait_for(answer["message_id"].encode(), 1)
    assert signed_by_meta(hook)
    assert b"\\u00d1" in hook.body  # Meta escapes non-ASCII characters
    value = json.loads(hook.body)["entry"][0]["changes"][0]["value"]
    assert value["metadata"]["phone_number_id"] == SECRETS["phone_number_id"]
    assert value["contacts"] == [{"profile": {"name": "Lucía"}, "wa_id": "34600111222"}]
    (message,) = value["messages"]
    assert (message["from"], message["type"]) == ("34600111222", "text")
    assert message["text"] == {"body": "Farola rota en la calle Ñ"}


def resident_message(server: Server, spec: dict[str, Any]) -> dict[str, Any]:
    channel = server.hub.find_channel("whatsapp", None)
    assert channel is not None
    delivery = server.hub.providers["whatsapp"].resident_message(channel, spec)
    message: dict[str, Any] = json.loads(delivery.body)["entry"][0]["changes"][0]["value"]
    return message["messages"][0]  # type: ignore[no-any-return]


def test_resident_image_is_a_stored_png(server: Server) -> None:
    message = resident_message(server, {"from": "34600111222", "image": True})
    assert message["type"] == "image" and message["image"]["mime_type"] == "image/png"
    data, mime = server.hub.media[message["image"]["id"]]
    assert data.startswith(b"\x89PNG") and mime == "image/png"


def test_resident_location_and_choice(server: Server) -> None:
    place = resident_message(server, {"from": "1", "location": {"latitude": 1.5, "longitude": 2}})
    assert place["location"] == {"latitude": 1.5, "longitude": 2.0}
    choice = resident_message(server, {"from": "1", "choice": "yes"})
    assert choice["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "yes", "title": "yes"},
    }


def test_resident_with_username_has_no_phone(server: Server) -> None:
    message = resident_message(server, {"user_id": "ES.77", "text": "Hola"})
    assert message["from_user_id"] == "ES.77" and "from" not in message
