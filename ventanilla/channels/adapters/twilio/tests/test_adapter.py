"""Twilio SMS adapter: one test per saved payload shape, signatures, and sends through the fake."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import httpx
import pytest

from ventanilla.channels.adapters.base import (
    Attachment,
    ChannelConfig,
    ChannelEvent,
    Choice,
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
from ventanilla.channels.adapters.twilio import TwilioAdapter
from ventanilla.channels.adapters.twilio.adapter import signature
from ventanilla.fakes.server import FakeHub, FakeRequest, FakeResponse, serving
from ventanilla.fakes.twilio import TwilioFake

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SECRETS = {
    "account_sid": "AC00000000000000000000000000000000",
    "auth_token": "twilio-auth-token",
    "from_number": "+34910000000",
}
HOOK_URL = "https://desk.example.org/webhooks/twilio/sms"
HOOK_PATH = "/hooks/twilio/1/"
ADAPTER = TwilioAdapter(
    ChannelConfig(channel_id=1, api_base="https://api.twilio.com", secrets=SECRETS)
)


def form_request(body: bytes, url: str = HOOK_URL, sig: str | None = None) -> WebhookRequest:
    form = dict(parse_qsl(body.decode(), keep_blank_values=True))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    headers["X-Twilio-Signature"] = (
        signature(SECRETS["auth_token"], url, form.items()) if sig is None else sig
    )
    return WebhookRequest(method="POST", url=url, headers=headers, body=body, form=form)


def parse_fixture(name: str) -> ParsedWebhook:
    request = form_request((FIXTURES / f"{name}.txt").read_bytes())
    ADAPTER.verify(request)
    return ADAPTER.parse(request)


# -- parsing, one test per payload shape ----------------------------------------------------


def test_inbound_sms() -> None:
    parsed = parse_fixture("inbound_sms")
    (message,) = parsed.messages
    assert message.provider_message_id == "SM" + "1" * 32
    assert message.urn == "tel:+34600111222"
    assert message.text == "Hola, farola rota en C/ Mayor 3"
    assert message.attachments == ()
    assert not parsed.statuses and not parsed.events


def test_inbound_mms_with_media() -> None:
    (message,) = parse_fixture("inbound_mms").messages
    assert message.provider_message_id.startswith("MM")
    assert message.text == "Bache en la calle Real"
    assert [(a.kind, a.content_type) for a in message.attachments] == [
        ("image", "image/jpeg"),
        ("document", "application/pdf"),
    ]
    assert message.attachments[0].media_ref.startswith("https://api.twilio.com/2010-04-01/")
    assert message.attachments[0].media_ref.endswith("/Media/ME" + "5" * 32)


def test_inbound_stop_keyword_is_a_stop_event_too() -> None:
    parsed = parse_fixture("inbound_stop")
    assert parsed.messages[0].text == "stop"
    assert parsed.events == [
        ChannelEvent(kind="stop", urn="tel:+34600111222", provider_event_id="SM" + "7" * 32)
    ]


@pytest.mark.parametrize(
    ("body", "options", "stops"),
    [
        (b"MessageSid=SM1&From=%2B34600111222&Body=Baja", {"stop_keywords": ["BAJA"]}, True),
        (b"MessageSid=SM1&From=%2B34600111222&Body=Baja", {}, False),
        (b"MessageSid=SM1&From=%2B34600111222&Body=x&OptOutType=STOP", {}, True),
        (b"MessageSid=SM1&From=%2B34600111222&Body=stop+the+noise", {}, False),
    ],
)
def test_opt_out_keywords(body: bytes, options: dict[str, Any], stops: bool) -> None:
    config = ChannelConfig(channel_id=1, api_base="", secrets=SECRETS, options=options)
    parsed = TwilioAdapter(config).parse(form_request(body))
    assert [e.kind for e in parsed.events] == (["stop"] if stops else [])
    assert len(parsed.messages) == 1


def test_status_queued_is_ignored() -> None:
    assert parse_fixture("status_queued") == ParsedWebhook()


@pytest.mark.parametrize("status", ["sent", "delivered"])
def test_status(status: str) -> None:
    parsed = parse_fixture(f"status_{status}")
    (update,) = parsed.statuses
    assert (update.provider_message_id, update.status) == ("SM" + "2" * 32, status)
    assert update.error_code == "" and not parsed.messages and not parsed.events


def test_status_undelivered_is_failed_with_code() -> None:
    (update,) = parse_fixture("status_undelivered").statuses
    assert (update.status, update.error_code) == ("failed", "30003")
    assert update.error_title == "Unreachable destination handset"


def test_status_failed_unsubscribed_stops_resident() -> None:
    parsed = parse_fixture("status_failed")
    (update,) = parsed.statuses
    assert (update.status, update.error_code) == ("failed", "21610")
    assert parsed.events == [ChannelEvent(kind="stop", urn="tel:+34600111222")]


def test_unknown_status_is_named() -> None:
    body = b"MessageSid=SM1&MessageStatus=partially_delivered"
    (event,) = ADAPTER.parse(form_request(body)).events
    assert (event.kind, event.name) == ("unsupported", "status.partially_delivered")


def test_sender_without_plus_is_normalised() -> None:
    (message,) = ADAPTER.parse(form_request(b"MessageSid=SM1&From=600111222&Body=x")).messages
    assert message.urn == "tel:+34600111222"


@pytest.mark.parametrize(
    "body",
    [
        b"Body=hola&From=%2B34600111222",
        b"MessageSid=SM1&Body=hola",
        b"MessageSid=SM1&From=%2B34600111222&NumMedia=uno",
        b"MessageSid=SM1&From=%2B34600111222&NumMedia=1",
        b'{"MessageSid": "SM1"}',
        b"\xff\xfe",
    ],
)
def test_malformed_payload(body: bytes) -> None:
    request = WebhookRequest(method="POST", url=HOOK_URL, headers={}, body=body)
    with pytest.raises(MalformedPayload):
        ADAPTER.parse(request)


# -- signatures, handshake, acknowledge -----------------------------------------------------


def test_official_signature_test_vector() -> None:
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    config = ChannelConfig(channel_id=1, api_base="", secrets={"auth_token": "12345"})
    request = WebhookRequest(
        method="POST",
        url="https://mycompany.com/myapp.php?foo=1&bar=2",
        headers={"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="},
        body=b"",
        form=params,
    )
    TwilioAdapter(config).verify(request)


def test_our_fixture_signature_test_vector() -> None:
    body = (FIXTURES / "inbound_sms.txt").read_bytes()
    ADAPTER.verify(form_request(body, sig="y1P2PrvXipFQ6Rx6EncYW801Z7Q="))


@pytest.mark.parametrize(
    ("signed_url", "request_url"),
    [
        ("https://desk.example.org:443/webhooks/twilio/sms", HOOK_URL),
        (HOOK_URL, "https://desk.example.org:443/webhooks/twilio/sms"),
        ("http://desk.example.org/h?x=1", "http://desk.example.org:80/h?x=1"),
    ],
)
def test_signature_with_or_without_default_port(signed_url: str, request_url: str) -> None:
    body = (FIXTURES / "inbound_sms.txt").read_bytes()
    sig = form_request(body, url=signed_url).headers["X-Twilio-Signature"]
    ADAPTER.verify(form_request(body, url=request_url, sig=sig))


def test_repeated_parameters_are_signed_sorted() -> None:
    body = b"MediaUrl=b&MediaUrl=a&Body=x"
    pairs = [("Body", "x"), ("MediaUrl", "a"), ("MediaUrl", "b")]
    expected = signature(SECRETS["auth_token"], HOOK_URL, pairs)
    ADAPTER.verify(form_request(body, sig=expected))


@pytest.mark.parametrize(
    ("body", "url", "sig"),
    [
        (b"MessageSid=SM1&Body=hola", HOOK_URL, ""),
        (b"MessageSid=SM1&Body=hola", HOOK_URL, "y1P2PrvXipFQ6Rx6EncYW801Z7Q="),
        (b"MessageSid=SM1&Body=hola", "https://desk.example.org:8443/webhooks/twilio/sms", None),
        (b"MessageSid=SM1&Body=adios", HOOK_URL, None),
    ],
)
def test_signature_rejected(body: bytes, url: str, sig: str | None) -> None:
    good = form_request(b"MessageSid=SM1&Body=hola").headers["X-Twilio-Signature"]
    request = form_request(body, url=url, sig=good if sig is None else sig)
    with pytest.raises(SignatureError):
        ADAPTER.verify(request)


def test_missing_signature_rejected() -> None:
    request = WebhookRequest(method="POST", url=HOOK_URL, headers={}, body=b"MessageSid=SM1")
    with pytest.raises(SignatureError):
        ADAPTER.verify(request)


def test_acknowledge_is_empty_twiml() -> None:
    assert ADAPTER.acknowledge() == (
        200,
        "text/xml",
        '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
    )


def test_handshake_is_not_allowed() -> None:
    request = WebhookRequest(method="GET", url=HOOK_URL, headers={}, body=b"")
    assert ADAPTER.handshake(request).status == 405


# -- sending and media through the fake -----------------------------------------------------


class Fake:
    """The in-process fake server, a webhook receiver on it, and helpers for one test."""

    def __init__(self, base: str, hub: FakeHub, client: httpx.Client) -> None:
        self.base, self.hub = base, hub
        self.webhooks: list[FakeRequest] = []
        self.client = client  # one per module: building a client costs ~60 ms

    @property
    def hook_url(self) -> str:
        return self.base + HOOK_PATH

    def adapter(self, **secrets: str) -> TwilioAdapter:
        config = ChannelConfig(
            channel_id=1,
            api_base=f"{self.base}/twilio",
            secrets=SECRETS | secrets,
            status_callback_url=self.hook_url,
        )
        return TwilioAdapter(config)

    def fault(self, status: int, body: Any = None, **extra: Any) -> None:
        self.client.post(
            f"{self.base}/_control/twilio/faults", json={"status": status, "body": body, **extra}
        )

    def received(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.client.get(
            f"{self.base}/_control/received?provider=twilio"
        ).json()
        return rows

    def sent_form(self) -> dict[str, list[str]]:
        return parse_qs(self.received()[-1]["body"])

    def wait_for(self, match: Callable[[FakeRequest], bool], count: int) -> list[FakeRequest]:
        """Wait for ``count`` webhooks that ``match`` (callbacks of earlier sends also arrive)."""
        deadline = time.monotonic() + 5
        while sum(map(match, self.webhooks)) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return [hook for hook in self.webhooks if match(hook)]

    def resident(self, spec: dict[str, Any]) -> WebhookRequest:
        channel = self.hub.find_channel("twilio", self.hook_url)
        assert channel is not None
        delivery = self.hub.providers["twilio"].resident_message(channel, spec)
        form = dict(parse_qsl(delivery.body.decode()))
        return WebhookRequest("POST", delivery.url, delivery.headers, delivery.body, form=form)


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeHub]]:
    with serving(TwilioFake) as running_fake:
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
        return FakeResponse(body=b"<Response/>", content_type="text/xml")

    hub.extra_routes[HOOK_PATH] = receive
    helper.client.post(f"{base}/_control/reset")
    channel = {"provider": "twilio", "webhook_url": helper.hook_url, "secrets": SECRETS}
    helper.client.post(f"{base}/_control/channels", json=channel)
    yield helper


def test_send_text(fake: Fake) -> None:
    message = OutboundMessage(urn="tel:+34600111222", text="Su incidencia es 2026-000042")
    result = fake.adapter().send(fake.client, message)
    assert result.provider_message_id.startswith("SM")
    (call,) = fake.received()
    assert call["path"] == f"/2010-04-01/Accounts/{SECRETS['account_sid']}/Messages.json"
    assert call["headers"]["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(call["body"]) == {
        "To": ["+34600111222"],
        "From": ["+34910000000"],
        "Body": ["Su incidencia es 2026-000042"],
        "StatusCallback": [fake.hook_url],
    }


def test_send_choices_as_numbered_lines(fake: Fake) -> None:
    choices = (Choice("yes", "Sí"), Choice("no", "No"))
    message = OutboundMessage(urn="tel:+34600111222", text="¿Se ha resuelto?", choices=choices)
    fake.adapter().send(fake.client, message)
    assert fake.sent_form()["Body"] == ["¿Se ha resuelto?\n1. Sí\n2. No"]


def test_send_with_media(fake: Fake) -> None:
    image = OutboundAttachment(url="https://desk.example.org/m/1.png", content_type="image/png")
    message = OutboundMessage(urn="tel:+34600111222", text="Mapa", attachment=image)
    fake.adapter().send(fake.client, message)
    form = fake.sent_form()
    assert (form["Body"], form["MediaUrl"]) == (["Mapa"], ["https://desk.example.org/m/1.png"])


def test_send_location_as_text_with_map_link(fake: Fake) -> None:
    place = Location(40.4168, -3.7038, name="Ayuntamiento", address="Plaza Mayor 1")
    fake.adapter().send(fake.client, OutboundMessage(urn="tel:+34600111222", location=place))
    assert fake.sent_form()["Body"] == [
        "Ayuntamiento\nPlaza Mayor 1\nhttps://www.openstreetmap.org/?mlat=40.4168&mlon=-3.7038"
    ]


def test_send_template_uses_the_text(fake: Fake) -> None:
    template = Template(name="traffic_alert", language="es", parameters=("M-30",))
    message = OutboundMessage(urn="tel:+34600111222", text="Corte en la M-30", template=template)
    fake.adapter().send(fake.client, message)
    assert fake.sent_form()["Body"] == ["Corte en la M-30"]


@pytest.mark.parametrize(
    "message",
    [
        OutboundMessage(urn="tel:+34600111222"),
        OutboundMessage(urn="whatsapp:34600111222", text="x"),
        OutboundMessage(urn="tel:+34600111222", template=Template(name="t", language="es")),
    ],
)
def test_send_refuses_what_cannot_be_sent(fake: Fake, message: OutboundMessage) -> None:
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, message)
    assert not caught.value.retryable
    assert fake.received() == []


def test_send_then_status_callbacks_arrive_signed(fake: Fake) -> None:
    adapter = fake.adapter()
    sid = adapter.send(fake.client, OutboundMessage(urn="tel:+34600111222", text="x"))
    hooks = fake.wait_for(lambda hook: sid.provider_message_id.encode() in hook.body, 2)
    updates = []
    for hook in hooks:
        form = dict(parse_qsl(hook.body.decode()))
        request = WebhookRequest("POST", fake.hook_url, hook.headers, hook.body, form=form)
        adapter.verify(request)
        updates += adapter.parse(request).statuses
    assert [(u.provider_message_id, u.status) for u in updates] == [
        (sid.provider_message_id, "sent"),
        (sid.provider_message_id, "delivered"),
    ]


def twilio_error(code: int, status: int = 400) -> dict[str, Any]:
    return {"code": code, "message": f"error {code}", "status": status}


@pytest.mark.parametrize(
    ("fault", "code", "retry_after"),
    [
        (
            {"status": 429, "body": twilio_error(20429, 429), "headers": {"Retry-After": "3"}},
            "20429",
            3.0,
        ),
        ({"status": 500, "body": twilio_error(20500, 500)}, "20500", None),
        ({"status": 503}, "503", None),
    ],
)
def test_send_retryable_errors(
    fake: Fake, fault: dict[str, Any], code: str, retry_after: float | None
) -> None:
    fake.fault(**fault)
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, OutboundMessage(urn="tel:+34600111222", text="x"))
    assert caught.value.retryable
    assert (caught.value.code, caught.value.retry_after) == (code, retry_after)


@pytest.mark.parametrize(("code", "stopped"), [(21610, True), (21211, False), (21614, False)])
def test_send_permanent_errors(fake: Fake, code: int, stopped: bool) -> None:
    fake.fault(400, twilio_error(code))
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, OutboundMessage(urn="tel:+34600111222", text="x"))
    assert not caught.value.retryable
    assert (caught.value.code, caught.value.resident_stopped) == (str(code), stopped)
    assert caught.value.reason == f"{code} error {code}"


def test_send_with_bad_credentials_is_permanent(fake: Fake) -> None:
    with pytest.raises(SendError) as caught:
        fake.adapter(auth_token="wrong").send(
            fake.client, OutboundMessage(urn="tel:+34600111222", text="x")
        )
    assert (caught.value.retryable, caught.value.code) == (False, "20003")


def test_send_to_invalid_number_is_permanent(fake: Fake) -> None:
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, OutboundMessage(urn="tel:12", text="x"))
    assert (caught.value.retryable, caught.value.code) == (False, "21211")


def test_send_connection_refused_is_retryable() -> None:
    config = ChannelConfig(channel_id=1, api_base="http://127.0.0.1:1", secrets=SECRETS)
    with pytest.raises(SendError) as caught, httpx.Client(timeout=2) as client:
        TwilioAdapter(config).send(client, OutboundMessage(urn="tel:+34600111222", text="x"))
    assert caught.value.retryable


def test_resident_sms_verifies_and_parses(fake: Fake) -> None:
    request = fake.resident({"from": "34600111222", "name": "Lucía", "text": "Hola"})
    adapter = fake.adapter()
    adapter.verify(request)
    (message,) = adapter.parse(request).messages
    assert (message.urn, message.text) == ("tel:+34600111222", "Hola")
    assert message.provider_message_id == request.header("x-fake-message-id")


def test_resident_mms_media_downloads_through_redirect(fake: Fake) -> None:
    request = fake.resident({"from": "+34600111222", "image": True, "text": "Bache"})
    adapter = fake.adapter()
    adapter.verify(request)
    (message,) = adapter.parse(request).messages
    (attachment,) = message.attachments
    data, mime = adapter.download(fake.client, attachment)
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and mime == "image/png"
    media_call, content_call = fake.received()
    assert media_call["headers"]["authorization"].startswith("Basic ")
    assert content_call["path"].startswith("/media-content/")


def test_download_sends_no_credentials_to_another_origin(fake: Fake) -> None:
    request = fake.resident({"from": "+34600111222", "image": True})
    (attachment,) = fake.adapter().parse(request).messages[0].attachments
    elsewhere = Attachment(
        kind="image", media_ref=attachment.media_ref.replace("127.0.0.1", "localhost")
    )
    with pytest.raises(httpx.HTTPStatusError):
        fake.adapter().download(fake.client, elsewhere)
    assert "authorization" not in fake.received()[-1]["headers"]


def test_resident_location_and_choice_arrive_as_text(fake: Fake) -> None:
    location = fake.resident(
        {"from": "+34600111222", "location": {"latitude": 40.41, "longitude": -3.7}}
    )
    choice = fake.resident({"from": "+34600111222", "choice": "2"})
    texts = [fake.adapter().parse(r).messages[0].text for r in (location, choice)]
    assert texts == ["40.41,-3.7", "2"]


def test_resident_stop_then_send_fails_as_stopped(fake: Fake) -> None:
    resident = "+34600999888"
    parsed = fake.adapter().parse(fake.resident({"from": resident, "text": "STOP"}))
    assert parsed.events[0].kind == "stop"
    with pytest.raises(SendError) as caught:
        fake.adapter().send(fake.client, OutboundMessage(urn=f"tel:{resident}", text="x"))
    assert (caught.value.code, caught.value.resident_stopped) == ("21610", True)
    fake.resident({"from": resident, "text": "START"})
    fake.adapter().send(fake.client, OutboundMessage(urn=f"tel:{resident}", text="x"))
