"""The Telegram fake answers like the Bot API and plays residents through the control API."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ventanilla.channels.adapters.base import ChannelConfig, WebhookRequest
from ventanilla.channels.adapters.telegram import TelegramAdapter
from ventanilla.fakes.server import FakeHub, FakeRequest, FakeResponse, start
from ventanilla.fakes.telegram import TelegramFake, png_image, telegram_user_id

TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "webhook-secret_42"


http = httpx.Client(timeout=5)  # one client: building one per call costs an SSL context


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeHub]]:
    server, hub = start(hub=FakeHub({"telegram": TelegramFake}))
    yield f"http://127.0.0.1:{server.server_address[1]}", hub
    server.shutdown()
    server.server_close()
    http.close()


@pytest.fixture
def base(server) -> str:
    """Register one bot whose webhook is a route of the fake server itself."""
    base, hub = server
    http.post(f"{base}/_control/reset").raise_for_status()
    hub.channels.clear()
    channel = {
        "provider": "telegram",
        "webhook_url": f"{base}/hook/telegram",
        "secrets": {"bot_token": TOKEN, "secret_token": SECRET},
    }
    http.post(f"{base}/_control/channels", json=channel).raise_for_status()
    return base


def call(base: str, method: str, token: str = TOKEN, **params: Any) -> httpx.Response:
    return http.post(f"{base}/telegram/bot{token}/{method}", json=params)


def test_unknown_token_is_unauthorized(base):
    response = call(base, "getMe", token="123:nope")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


def test_get_me_describes_the_bot(base):
    result = call(base, "getMe").json()["result"]
    assert (result["id"], result["is_bot"]) == (7000000001, True)


def test_send_message_returns_a_message(base):
    keyboard = {"inline_keyboard": [[{"text": "Sí", "callback_data": "yes"}]]}
    response = call(base, "sendMessage", chat_id=123456789, text="Hola", reply_markup=keyboard)
    body = response.json()
    assert body["ok"] is True
    message = body["result"]
    assert isinstance(message["message_id"], int)
    assert message["chat"] == {"id": 123456789, "type": "private"}
    assert (message["text"], message["reply_markup"]) == ("Hola", keyboard)
    assert message["from"]["is_bot"] is True


def test_send_message_accepts_form_encoding_like_courier(base):
    form = {"chat_id": "5", "text": "Hola", "reply_markup": json.dumps({"remove_keyboard": True})}
    response = http.post(f"{base}/telegram/bot{TOKEN}/sendMessage", data=form)
    assert response.json()["result"]["chat"]["id"] == 5


@pytest.mark.parametrize(
    ("method", "params", "description"),
    [
        ("sendMessage", {"chat_id": 1, "text": ""}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": 1, "text": "x" * 4097}, "Bad Request: message is too long"),
        ("sendMessage", {"chat_id": "nobody", "text": "hola"}, "Bad Request: chat not found"),
        (
            "sendMessage",
            {
                "chat_id": 1,
                "text": "hola",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]},
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        ("sendPhoto", {"chat_id": 1}, "Bad Request: there is no photo in the request"),
        ("sendLocation", {"chat_id": 1}, "Bad Request: wrong latitude or longitude specified"),
        ("getFile", {"file_id": "nope"}, "Bad Request: invalid file_id"),
    ],
)
def test_bad_requests_answer_like_telegram(base, method, params, description):
    response = call(base, method, **params)
    assert response.status_code == 400
    assert response.json() == {"ok": False, "error_code": 400, "description": description}


def test_unknown_method_is_not_found(base):
    assert call(base, "sendSomethingElse").status_code == 404


def test_sent_photo_can_be_fetched_back_through_get_file(base):
    photo = call(base, "sendPhoto", chat_id=1, photo="https://x.example/p.jpg", caption="c")
    sizes = photo.json()["result"]["photo"]
    assert [s["width"] for s in sizes] == sorted(s["width"] for s in sizes)
    file_info = http.get(
        f"{base}/telegram/bot{TOKEN}/getFile", params={"file_id": sizes[-1]["file_id"]}
    )
    file_path = file_info.json()["result"]["file_path"]
    download = http.get(f"{base}/telegram/file/bot{TOKEN}/{file_path}")
    assert download.headers["content-type"] == "image/png"
    assert download.content.startswith(b"\x89PNG")
    assert http.get(f"{base}/telegram/file/bot123:other/{file_path}").status_code == 401


def test_get_updates_conflicts_while_a_webhook_is_set(base):
    assert call(base, "getUpdates").status_code == 409
    assert call(base, "deleteWebhook").json()["description"] == "Webhook was deleted"
    assert call(base, "getUpdates").json() == {"ok": True, "result": []}


def test_set_webhook_refuses_a_bad_secret_token(base):
    response = call(base, "setWebhook", url="https://x.example/h", secret_token="no spaces!")
    assert response.status_code == 400


def test_set_webhook_moves_deliveries_and_their_secret(server, base):
    _, hub = server
    call(base, "setWebhook", url=f"{base}/hook/other", secret_token="new-secret")
    info = call(base, "getWebhookInfo").json()["result"]
    assert info["url"] == f"{base}/hook/other"
    assert hub.channels[0].secrets["secret_token"] == "new-secret"


def test_fault_injection_answers_before_the_api(base):
    fault = {
        "status": 429,
        "body": {"ok": False, "error_code": 429, "parameters": {"retry_after": 3}},
    }
    http.post(f"{base}/_control/telegram/faults", json=fault).raise_for_status()
    assert call(base, "sendMessage", chat_id=1, text="a").status_code == 429
    assert call(base, "sendMessage", chat_id=1, text="a").status_code == 200


def test_control_inbound_delivers_an_update_the_adapter_accepts(server, base):
    _, hub = server
    adapter = TelegramAdapter(
        ChannelConfig(
            channel_id=1, api_base="", secrets={"bot_token": TOKEN, "secret_token": SECRET}
        )
    )
    received: list[Any] = []

    def webhook(request: FakeRequest) -> FakeResponse:
        incoming = WebhookRequest("POST", "", request.headers, request.body)
        adapter.verify(incoming)
        received.append(adapter.parse(incoming))
        return FakeResponse.json({})

    hub.extra_routes["/hook/telegram"] = webhook
    spec = {"from": "+34600111222", "name": "Lucía Gómez", "text": "Bache", "language": "es"}
    answer = http.post(f"{base}/_control/telegram/inbound", json=spec).json()
    assert answer["status"] == 200
    (message,) = received[0].messages
    assert message.provider_message_id == answer["message_id"]
    assert message.urn == f"telegram:{telegram_user_id('+34600111222')}"
    assert (message.text, message.contact_name, message.language_hint) == (
        "Bache",
        "Lucía Gómez",
        "es",
    )


def test_resident_location_and_callback_updates(server, base):
    _, hub = server
    fake: TelegramFake = hub.providers["telegram"]
    channel = hub.channels[0]
    located = json.loads(
        fake.resident_message(
            channel, {"from": 7, "location": {"latitude": 1, "longitude": 2}}
        ).body
    )
    assert located["message"]["location"] == {"latitude": 1.0, "longitude": 2.0}
    pressed = json.loads(fake.resident_message(channel, {"from": 7, "choice": "yes"}).body)
    query = pressed["callback_query"]
    assert (query["data"], query["from"]["id"]) == ("yes", 7)
    assert call(base, "answerCallbackQuery", callback_query_id=query["id"]).json()["result"] is True


def test_user_ids_are_stable_numbers():
    assert telegram_user_id("123") == 123
    assert telegram_user_id("+34600111222") == telegram_user_id("+34600111222")
    assert telegram_user_id("+34600111222") != telegram_user_id("+34600111223")


def test_png_is_valid():
    data = png_image(3, 2)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, tag = struct.unpack(">I4s", data[8:16])
    assert (length, tag) == (13, b"IHDR")
    assert struct.unpack(">II", data[16:24]) == (3, 2)
    idat_length = struct.unpack(">I", data[33:37])[0]
    assert zlib.decompress(data[41 : 41 + idat_length]) == (b"\x00" + bytes((214, 92, 38)) * 3) * 2
