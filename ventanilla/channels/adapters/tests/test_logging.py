"""Provider traffic is logged with every ``redact_keys`` field and every secret replaced."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest
from structlog.testing import capture_logs

from ventanilla.channels.adapters import ADAPTERS
from ventanilla.channels.adapters.base import (
    Adapter,
    ChannelConfig,
    OutboundMessage,
    ParsedWebhook,
    WebhookRequest,
)
from ventanilla.channels.adapters.logging import REDACTED, redact, redact_url

FOLDER = Path(__file__).resolve().parent.parent
PHONE = "34600111222"
NAME = "Lucía Gómez"
TEXT = "Vivo en la calle Mayor 3 y la farola sigue rota"
SECRETS = {
    "whatsapp": {
        "phone_number_id": "106540352242922",
        "access_token": "wa-access-token-s3cret",
        "app_secret": "wa-app-s3cret",
        "verify_token": "wa-verify-s3cret",
    },
    "telegram": {"bot_token": "7000000001:tg-bot-s3cret", "secret_token": "tg-webhook-s3cret"},
    "line": {"channel_secret": "line-channel-s3cret", "access_token": "line-access-s3cret"},
    "twilio": {
        "account_sid": "AC00000000000000000000000000000000",
        "auth_token": "twilio-auth-s3cret",
        "from_number": "+34910000000",
    },
}
for _meta in ("messenger", "instagram"):
    SECRETS[_meta] = {
        "page_id": "104837291038475",
        "access_token": f"{_meta}-page-s3cret",
        "app_secret": f"{_meta}-app-s3cret",
        "verify_token": f"{_meta}-verify-s3cret",
    }
SECRETS["mastodon"] = {"access_token": "mastodon-access-s3cret"}
SECRETS["bluesky"] = {"identifier": "ayuntamiento.bsky.social", "app_password": "bsky-app-s3cret"}
BSKY_USER = "did:plc:lucia0000000000000000000"
META_USER = "6523489120394857"
LINE_USER = "U4af4980629a1b2c3d4e5f60718293a4b"
URNS = {
    "whatsapp": f"whatsapp:{PHONE}",
    "telegram": "telegram:123456789",
    "line": f"line:{LINE_USER}",
    "twilio": f"tel:+{PHONE}",
    "messenger": f"messenger:{META_USER}",
    "instagram": f"instagram:{META_USER}",
    "mastodon": "mastodon:lucia@barrio.social",
    "bluesky": f"bluesky:{BSKY_USER}",
}
#: what each provider answers a send with, echoing the resident as the real APIs do
ANSWERS: dict[str, Callable[[httpx.Request], httpx.Response]] = {
    "whatsapp": lambda request: httpx.Response(
        200,
        json={
            "messaging_product": "whatsapp",
            "contacts": [{"input": PHONE, "wa_id": PHONE}],
            "messages": [{"id": "wamid.OUT1"}],
        },
    ),
    "telegram": lambda request: httpx.Response(
        200,
        json={
            "ok": True,
            "result": {
                "message_id": 77,
                "date": 1767225600,
                "chat": {"id": 123456789, "first_name": "Lucía", "last_name": "Gómez"},
                "text": TEXT,
            },
        },
    ),
    "line": lambda request: httpx.Response(200, json={"sentMessages": [{"id": "5001"}]}),
    "twilio": lambda request: httpx.Response(
        201,
        json={
            "sid": "SM00000000000000000000000000000001",
            "to": f"+{PHONE}",
            "from": "+34910000000",
            "body": TEXT,
            "status": "queued",
        },
    ),
    "messenger": lambda request: httpx.Response(
        200, json={"recipient_id": META_USER, "message_id": "m_OUT1"}
    ),
    "instagram": lambda request: httpx.Response(
        200, json={"recipient_id": META_USER, "message_id": "m_OUT1"}
    ),
    "mastodon": lambda request: httpx.Response(
        200,
        json={
            "id": "113562394818234999",
            "visibility": "direct",
            "content": f"<p>@lucia@barrio.social {TEXT}</p>",
            "mentions": [{"acct": "lucia@barrio.social"}],
        },
    ),
    "bluesky": lambda request: httpx.Response(
        200,
        json=(
            {"accessJwt": "jwt-s3cret", "refreshJwt": "r-s3cret", "did": "did:plc:council"}
            if request.url.path.endswith("createSession")
            else {"convo": {"id": "c1", "members": [{"did": BSKY_USER}]}, "id": "m1"}
        ),
    ),
}


#: the adapters that log the provider's HTTP traffic (e-mail logs none of a message)
LOGGING = sorted(code for code in ADAPTERS if code != "email")


def adapter(code: str) -> Adapter:
    cls = ADAPTERS[code]
    config = ChannelConfig(channel_id=1, api_base=cls.default_api_base, secrets=SECRETS[code])
    return cls(config)


def logged(entries: list[dict[str, object]]) -> str:
    return json.dumps(entries, ensure_ascii=False, default=str)


def assert_nothing_personal(text: str, code: str, personal: set[str]) -> None:
    for secret in SECRETS[code].values():
        if secret not in ("106540352242922", "AC00000000000000000000000000000000"):
            assert secret not in text
    for value in personal:
        assert value not in text, value


@pytest.fixture(autouse=True)
def _debug_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Webhook bodies are logged (redacted) only when debug logging is on."""
    caplog.set_level(logging.DEBUG, logger="ventanilla.channels.adapters.logging")


@pytest.mark.parametrize("code", LOGGING)
def test_a_logged_send_shows_neither_the_resident_nor_a_secret(code: str) -> None:
    message = OutboundMessage(urn=URNS[code], text=TEXT, idempotency_key="out-1")
    with httpx.Client(transport=httpx.MockTransport(ANSWERS[code])) as client:
        with capture_logs() as entries:
            adapter(code).send(client, message)
    exchanges = [e for e in entries if e["event"] == "provider_exchange"]
    assert exchanges and all(e["log_level"] == "debug" for e in exchanges)
    text = logged(entries)
    assert REDACTED in text
    assert_nothing_personal(
        text,
        code,
        {PHONE, LINE_USER, META_USER, BSKY_USER, "lucia", "123456789", TEXT, "Lucía", "Gómez"},
    )


def test_a_refused_send_is_logged_at_info_and_redacted() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"ok": False, "description": "Bad Request: chat not found"})

    with httpx.Client(transport=httpx.MockTransport(refuse)) as client:
        with capture_logs() as entries, pytest.raises(Exception, match="chat not found"):
            adapter("telegram").send(client, OutboundMessage(urn=URNS["telegram"], text=TEXT))
    (exchange,) = [e for e in entries if e["event"] == "provider_exchange"]
    assert exchange["log_level"] == "info" and exchange["status"] == 400
    assert "/bot[redacted]/sendMessage" in str(exchange["url"])
    assert_nothing_personal(logged(entries), "telegram", {TEXT, "123456789"})


def test_without_debug_logging_only_refused_sends_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ventanilla.channels.adapters.logging")

    def answer(request: httpx.Request) -> httpx.Response:
        if b"refuse me" in request.content:
            return httpx.Response(400, json={"ok": False, "description": "Bad Request: no"})
        return ANSWERS["telegram"](request)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        with capture_logs() as entries:
            adapter("telegram").send(client, OutboundMessage(urn=URNS["telegram"], text=TEXT))
            with pytest.raises(Exception, match="no"):
                message = OutboundMessage(urn=URNS["telegram"], text="refuse me")
                adapter("telegram").send(client, message)
    (exchange,) = [e for e in entries if e["event"] == "provider_exchange"]
    assert exchange["log_level"] == "info" and exchange["status"] == 400


def fixtures() -> Iterator[tuple[str, Path]]:
    for code in LOGGING:
        if hasattr(ADAPTERS[code], "poll"):
            continue  # polled, not called: its fixtures are API answers (tested with poll)
        for path in sorted((FOLDER / code / "fixtures").iterdir()):
            yield code, path


def webhook(code: str, path: Path) -> WebhookRequest:
    body = path.read_bytes()
    url = f"https://desk.example.org/hooks/{code}/1/"
    if path.suffix == ".txt":
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        return WebhookRequest("POST", url, headers, body, form=form)
    return WebhookRequest("POST", url, {"Content-Type": "application/json"}, body)


def personal_values(parsed: ParsedWebhook) -> set[str]:
    """Return what the parse learnt about residents: who they are and what they wrote."""
    values: set[str] = set()
    for message in parsed.messages:
        values |= {message.text, message.contact_name, *message.text.splitlines()}
        for urn in (message.urn, *message.extra_urns):
            values.add(urn.partition(":")[2].removeprefix("user:").lstrip("+"))
        values |= {a.caption for a in message.attachments}
        if message.location is not None:
            place = message.location
            values |= {place.name, place.address, str(place.latitude), str(place.longitude)}
    for event in parsed.events:
        values.add(event.urn.partition(":")[2].lstrip("+"))
    return {value for value in values if len(value) > 3}


@pytest.mark.parametrize(("code", "path"), list(fixtures()), ids=lambda v: getattr(v, "name", v))
def test_a_logged_webhook_shows_neither_the_resident_nor_a_secret(code: str, path: Path) -> None:
    with capture_logs() as entries:
        parsed = adapter(code).parse(webhook(code, path))
    assert [e for e in entries if e["event"] == "provider_webhook"]
    assert_nothing_personal(logged(entries), code, personal_values(parsed))


def test_the_webhook_log_still_says_what_happened() -> None:
    with capture_logs() as entries:
        adapter("whatsapp").parse(webhook("whatsapp", FOLDER / "whatsapp/fixtures/text.json"))
    (entry,) = [e for e in entries if e["event"] == "provider_webhook"]
    change = entry["body"]["entry"][0]["changes"][0]  # type: ignore[index]
    message = change["value"]["messages"][0]
    assert message["type"] == "text" and message["id"].startswith("wamid.")
    assert message["from"] == message["text"] == REDACTED


def test_redact_replaces_fields_at_any_depth_ignoring_case_and_secret_values() -> None:
    payload = {
        "To": "+34600111222",
        "nested": [{"FROM": "x", "keep": "token abc123 inside"}],
        "n": 3,
    }
    assert redact(payload, {"to", "from"}, ["abc123"]) == {
        "To": REDACTED,
        "nested": [{"FROM": REDACTED, "keep": f"token {REDACTED} inside"}],
        "n": 3,
    }


def test_redact_url_hides_query_fields_and_path_tokens() -> None:
    url = "https://api.example.org/botSECRET/getFile?file_id=F1&hub.verify_token=v"
    assert redact_url(url, {"hub.verify_token"}, ["SECRET"]) == (
        f"https://api.example.org/bot{REDACTED}/getFile?file_id=F1&hub.verify_token={REDACTED}"
    )


def test_the_rendered_log_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    """The configured renderer, not only the captured event dicts, shows no secret."""
    caplog.set_level(logging.DEBUG, logger="ventanilla.channels.adapters.logging")
    with httpx.Client(transport=httpx.MockTransport(ANSWERS["twilio"])) as client:
        adapter("twilio").send(client, OutboundMessage(urn=URNS["twilio"], text=TEXT))
    assert "provider_exchange" in caplog.text
    assert_nothing_personal(caplog.text, "twilio", {PHONE, TEXT})
