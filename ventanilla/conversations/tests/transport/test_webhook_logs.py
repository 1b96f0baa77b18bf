"""A webhook that trips an adapter is logged so that it can be fixed, and nothing more.

Where it failed (exception type, files and lines) reaches the log, in JSON too; the body is
redacted with the provider's ``redact_keys``; no local variable (the webhook secret, the
resident's number, name and words all sit in them) and no exception message (it may quote
the payload) is written.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from structlog.testing import capture_logs

from ventanilla.channels.adapters.telegram import TelegramAdapter
from ventanilla.conversations.models import Message
from ventanilla.conversations.tests.transport.test_provider_data import fixture, make_channel
from ventanilla.core.logs import processors
from ventanilla.fakes.tests.harness import SECRETS, signed

pytestmark = pytest.mark.django_db

SECRET = SECRETS["telegram"]["secret_token"]
BOT_TOKEN = SECRETS["telegram"]["bot_token"]
RESIDENT = ("123456789", "Lucía", "Gómez", "luciag", "farola rota")


def render(entry: dict[str, Any], *, as_json: bool) -> str:
    """Run a captured event through the processors the settings install."""
    event = dict(entry)
    method = event.pop("log_level")
    logger = logging.getLogger("ventanilla.tests")  # what structlog's LoggerFactory gives
    for processor in processors(json=as_json):
        event = processor(logger, method, event)
    return event if isinstance(event, str) else json.dumps(event)


def crash(self: TelegramAdapter, request: Any) -> Any:
    update = json.loads(request.body)
    resident = update["message"]["from"]  # a local holding the resident's details
    secret = self.config.secrets["secret_token"]  # and one holding the secret
    raise ValueError(f"cannot read {resident['first_name']} {update['message']['text']} {secret}")


@pytest.fixture
def tripped(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(TelegramAdapter, "parse", crash)
    channel = make_channel("telegram")
    url = settings.PUBLIC_URL + channel.webhook_path
    body, headers = signed(channel, url, fixture("telegram", "text_message.json"))
    with capture_logs() as entries:
        response = Client().post(
            channel.webhook_path,
            body,
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=headers["X-Telegram-Bot-Api-Secret-Token"],
        )
    assert response.status_code == 400
    assert not Message.objects.exists()
    [entry] = [e for e in entries if e["event"] == "webhook_parse_error"]
    return entry


@pytest.mark.parametrize("as_json", [False, True])
def test_a_crashing_parse_logs_no_secret_and_nothing_of_the_resident(tripped, as_json) -> None:
    line = render(tripped, as_json=as_json)

    assert SECRET not in line and BOT_TOKEN not in line
    for detail in RESIDENT:
        assert detail not in line
    assert "crash" in line and "ValueError" in line  # where it failed, and how


def test_a_crashing_parse_in_json_keeps_the_exception_and_its_traceback(tripped) -> None:
    record = json.loads(render(tripped, as_json=True))

    assert record["error"] == "builtins.ValueError"
    assert "Traceback" in record["exception"]
    assert "test_webhook_logs.py" in record["exception"]
    assert record["body"]["message"]["from"] == "[redacted]"


def failing(secret: str) -> None:
    resident_number = "34600111222"  # noqa: F841 - a local the log must not show
    raise RuntimeError("boom")


@pytest.mark.parametrize("as_json", [False, True])
def test_any_logged_exception_keeps_its_traceback_without_locals(as_json: bool) -> None:
    try:
        failing(SECRET)
    except RuntimeError as error:
        entry = {"event": "it_failed", "log_level": "error", "exc_info": error}
    line = render(entry, as_json=as_json)

    assert "RuntimeError" in line and "failing" in line
    assert SECRET not in line and "34600111222" not in line
    if as_json:
        [exception] = json.loads(line)["exception"]
        assert exception["exc_type"] == "RuntimeError"
        assert exception["frames"]
