"""The Twilio fake speaks Twilio's wire format: checked with raw HTTP, not the adapter."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from ventanilla.fakes.server import FakeChannel, FakeHub, FakeRequest, FakeResponse, serving
from ventanilla.fakes.twilio import TwilioFake, segments, twilio_signature

SID = "AC" + "9" * 32
SECRETS = {"account_sid": SID, "auth_token": "tw-token", "from_number": "+34910000000"}
HOOK_PATH = "/hooks/twilio/3/"
AUTH = (SID, "tw-token")
MESSAGES = f"/2010-04-01/Accounts/{SID}/Messages.json"


def expected_signature(url: str, params: dict[str, str], token: str = "tw-token") -> str:
    """Compute Twilio's signature independently of the fake."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


class Server:
    def __init__(self, base: str, hub: FakeHub, client: httpx.Client) -> None:
        self.base, self.hub = base, hub
        self.webhooks: list[FakeRequest] = []
        self.client = client  # one per module: building a client costs ~60 ms

    @property
    def hook_url(self) -> str:
        return self.base + HOOK_PATH

    def send(
        self, form: dict[str, str], auth: tuple[str, str] = AUTH, path: str = MESSAGES
    ) -> httpx.Response:
        return self.client.post(f"{self.base}/twilio{path}", data=form, auth=auth)

    def wait_for(self, needle: bytes, count: int) -> list[FakeRequest]:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            hooks = [hook for hook in self.webhooks if needle in hook.body]
            if len(hooks) >= count:
                return hooks
            time.sleep(0.05)
        raise AssertionError(f"expected {count} webhooks")

    def channel(self) -> FakeChannel:
        channel = self.hub.find_channel("twilio", self.hook_url)
        assert channel is not None
        return channel


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[str, FakeHub]]:
    with serving(TwilioFake) as running_fake:
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
        return FakeResponse(body=b"<Response/>", content_type="text/xml")

    helper.hub.extra_routes[HOOK_PATH] = receive
    helper.client.post(f"{helper.base}/_control/reset")
    channel = {"provider": "twilio", "webhook_url": helper.hook_url, "secrets": SECRETS}
    helper.client.post(f"{helper.base}/_control/channels", json=channel)
    yield helper


def sms(**extra: str) -> dict[str, str]:
    return {"To": "+34600111222", "From": "+34910000000", "Body": "Hola"} | extra


def test_signature_matches_the_official_vector() -> None:
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


@pytest.mark.parametrize(
    ("body", "count"),
    [("", 1), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("ñ" * 70, 1), ("ñ" * 71, 2)],
)
def test_segments(body: str, count: int) -> None:
    assert segments(body) == count


def test_send_answers_201_queued(server: Server) -> None:
    response = server.send(sms())
    assert response.status_code == 201
    data = response.json()
    assert data["sid"].startswith("SM") and len(data["sid"]) == 34
    assert (data["status"], data["to"], data["from"], data["body"]) == (
        "queued",
        "+34600111222",
        "+34910000000",
        "Hola",
    )
    assert data["num_segments"] == "1" and data["error_code"] is None


@pytest.mark.parametrize(
    ("auth", "path"),
    [
        (None, MESSAGES),
        ((SID, "wrong"), MESSAGES),
        (("AC" + "1" * 32, "tw-token"), MESSAGES),
        (AUTH, MESSAGES.replace(SID, "AC" + "1" * 32)),
    ],
)
def test_send_needs_basic_auth_for_the_account(
    server: Server, auth: tuple[str, str] | None, path: str
) -> None:
    url = f"{server.base}/twilio{path}"
    response = server.client.post(url, data=sms(), auth=auth or httpx.USE_CLIENT_DEFAULT)
    assert response.status_code == 401
    assert response.json() == {
        "code": 20003,
        "message": "Authenticate",
        "more_info": "https://www.twilio.com/docs/errors/20003",
        "status": 401,
    }


@pytest.mark.parametrize(
    ("form", "code"),
    [
        (sms(To="12"), 21211),
        (sms(From="+34911111111"), 21606),
        ({"To": "+34600111222", "From": "+34910000000"}, 21602),
        (sms(Body="x" * 1601), 21617),
    ],
)
def test_send_refuses_what_twilio_refuses(server: Server, form: dict[str, str], code: int) -> None:
    response = server.send(form)
    assert (response.status_code, response.json()["code"], response.json()["status"]) == (
        400,
        code,
        400,
    )


def test_media_only_send_is_accepted(server: Server) -> None:
    form = {"To": "+34600111222", "From": "+34910000000", "MediaUrl": "https://desk/m.png"}
    assert server.send(form).json()["num_media"] == "1"


def test_status_callbacks_are_signed_form_posts(server: Server) -> None:
    sid = server.send(sms(StatusCallback=server.hook_url)).json()["sid"]
    hooks = server.wait_for(sid.encode(), 2)
    for hook in hooks:
        assert hook.headers["content-type"] == "application/x-www-form-urlencoded"
        params = dict(parse_qsl(hook.body.decode()))
        assert hook.headers["x-twilio-signature"] == expected_signature(server.hook_url, params)
    statuses = [dict(parse_qsl(hook.body.decode())) for hook in hooks]
    assert [(s["MessageSid"], s["MessageStatus"], s["To"]) for s in statuses] == [
        (sid, "sent", "+34600111222"),
        (sid, "delivered", "+34600111222"),
    ]


def test_no_callbacks_without_status_callback(server: Server) -> None:
    sid = server.send(sms()).json()["sid"]
    time.sleep(0.6)
    assert not [hook for hook in server.webhooks if sid.encode() in hook.body]


def test_resident_sms_is_signed_over_the_webhook_url(server: Server) -> None:
    delivery = server.hub.providers["twilio"].resident_message(
        server.channel(), {"from": "34600111222", "name": "Lucía", "text": "Hola"}
    )
    params = dict(parse_qsl(delivery.body.decode()))
    assert delivery.url == server.hook_url
    assert delivery.headers["x-twilio-signature"] == expected_signature(server.hook_url, params)
    assert params["MessageSid"] == delivery.headers["x-fake-message-id"]
    assert params["MessageSid"].startswith("SM")
    assert (params["From"], params["To"], params["Body"]) == (
        "+34600111222",
        "+34910000000",
        "Hola",
    )
    assert (params["SmsStatus"], params["NumMedia"], params["AccountSid"]) == ("received", "0", SID)


def test_resident_mms_media_needs_auth_and_redirects(server: Server) -> None:
    delivery = server.hub.providers["twilio"].resident_message(
        server.channel(), {"from": "+34600111222", "image": True}
    )
    params = dict(parse_qsl(delivery.body.decode()))
    assert params["MessageSid"].startswith("MM") and params["NumMedia"] == "1"
    assert params["MediaContentType0"] == "image/png"
    url = params["MediaUrl0"]
    assert url.startswith(f"{server.base}/twilio/2010-04-01/Accounts/{SID}/Messages/MM")
    assert server.client.get(url).status_code == 401
    redirect = server.client.get(url, auth=AUTH)
    assert redirect.status_code == 307
    content = server.client.get(redirect.headers["location"])
    assert content.content.startswith(b"\x89PNG") and content.headers["content-type"] == "image/png"


def test_stop_unsubscribes_until_start(server: Server) -> None:
    fake = server.hub.providers["twilio"]
    resident = "+34600555444"
    fake.resident_message(server.channel(), {"from": resident, "text": " Stop "})
    response = server.send(sms(To=resident))
    assert (response.status_code, response.json()["code"]) == (400, 21610)
    fake.resident_message(server.channel(), {"from": resident, "text": "START"})
    assert server.send(sms(To=resident)).status_code == 201


def test_control_inbound_delivers_to_the_webhook(server: Server) -> None:
    spec = {"from": "+34600111222", "text": "Contenedor lleno"}
    answer = server.client.post(f"{server.base}/_control/twilio/inbound", json=spec).json()
    assert answer["status"] == 200 and answer["message_id"].startswith("SM")
    (hook,) = server.wait_for(answer["message_id"].encode(), 1)
    assert dict(parse_qsl(hook.body.decode()))["Body"] == "Contenedor lleno"


def test_injected_fault_then_normal(server: Server) -> None:
    fault = {
        "status": 429,
        "body": {"code": 20429, "message": "Too Many Requests"},
        "headers": {"Retry-After": "2"},
    }
    server.client.post(f"{server.base}/_control/twilio/faults", json=fault)
    limited = server.send(sms())
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "2")
    assert server.send(sms()).status_code == 201


def resident_params(server: Server, spec: dict[str, Any]) -> dict[str, str]:
    delivery = server.hub.providers["twilio"].resident_message(server.channel(), spec)
    return dict(parse_qsl(delivery.body.decode()))


def test_resident_location_and_choice_are_text(server: Server) -> None:
    place = resident_params(
        server, {"from": "+1", "location": {"latitude": 40.4, "longitude": -3.7}}
    )
    assert place["Body"] == "40.4,-3.7"
    assert resident_params(server, {"from": "+1", "choice": "2"})["Body"] == "2"
