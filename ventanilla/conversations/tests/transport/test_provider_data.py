"""Signed webhooks with odd values: mended at the adapter or refused, never a 500.

One bad field must not cost the resident their message, nor the bot's later answers (a NaN
coordinate once broke every later message of its sender), and a refused webhook stores
nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels import services
from ventanilla.channels.adapters import ADAPTERS
from ventanilla.channels.models import Channel, WebhookEvent
from ventanilla.citizens.models import Citizen
from ventanilla.conversations.models import Message
from ventanilla.fakes.tests.harness import SECRETS, signed

pytestmark = pytest.mark.django_db

ADAPTERS_DIR = Path(ADAPTERS["whatsapp"].__module__.replace(".", "/")).parents[1]
FIXTURES = Path(settings.BASE_DIR).parent / ADAPTERS_DIR


def fixture(provider: str, name: str) -> Any:
    path = FIXTURES / provider / "fixtures" / name
    if provider == "twilio":
        return dict(parse_qsl(path.read_text().strip(), keep_blank_values=True))
    return json.loads(path.read_text())


def make_channel(provider: str) -> Channel:
    return services.create_channel(
        council=make_council(),
        provider=provider,
        name=f"Test {provider}",
        secrets=SECRETS[provider],
        api_base=f"http://127.0.0.1:9/{provider}",
    )


def post(channel: Channel, payload: Any) -> int:
    """Post ``payload`` signed as the channel's provider signs it; return the status."""
    url = settings.PUBLIC_URL + channel.webhook_path
    body, headers = signed(channel, url, payload if channel.provider == "twilio" else _raw(payload))
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    content_type = extra.pop("HTTP_CONTENT_TYPE")
    return Client().post(channel.webhook_path, body, content_type=content_type, **extra).status_code


def _raw(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()  # NaN as NaN


def whatsapp_message(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["entry"][0]["changes"][0]["value"]["messages"][0]


# -- places ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(float("nan"), -3.7), (40.4, float("inf")), (91.0, -3.7), (40.4, -180.5)],
)
def test_an_impossible_place_is_dropped_and_the_message_kept(latitude, longitude) -> None:
    channel = make_channel("whatsapp")
    payload = fixture("whatsapp", "location.json")
    place = whatsapp_message(payload)["location"]
    place["latitude"], place["longitude"] = latitude, longitude

    assert post(channel, payload) == 200

    message = Message.objects.get()
    assert (message.latitude, message.longitude, message.address) == (None, None, "")


@pytest.mark.parametrize("provider", ["telegram", "line", "twilio"])
def test_every_provider_drops_a_place_that_is_not_a_number(provider: str) -> None:
    channel = make_channel(provider)
    if provider == "telegram":
        payload = fixture(provider, "location_message.json")
        payload["message"]["location"]["latitude"] = float("nan")
    elif provider == "line":
        payload = fixture(provider, "location_message.json")
        payload["events"][0]["message"]["latitude"] = float("-inf")
    else:
        payload = fixture(provider, "inbound_sms.txt") | {"Latitude": "nan", "Longitude": "2"}

    assert post(channel, payload) == 200

    assert Message.objects.get().latitude is None


def test_a_good_place_is_kept() -> None:
    channel = make_channel("whatsapp")

    assert post(channel, fixture("whatsapp", "location.json")) == 200

    message = Message.objects.get()
    assert (message.latitude, message.longitude) == (40.4168, -3.7038)


def test_after_a_nan_place_the_bot_still_answers_the_resident() -> None:
    from ventanilla.channels.adapters.base import InboundMessage, Location
    from ventanilla.conversations.tests.chat import Resident, make_town
    from ventanilla.conversations.tests.chat import make_channel as chat_channel

    town = make_town()
    resident = Resident(chat_channel(town.council))
    resident.accept_notice()
    resident.send("menú")
    resident.tap("Comunicar incidencia")
    resident.send("La farola de la esquina no funciona")
    nowhere = InboundMessage(
        provider_message_id="nan-place", urn="telegram:1", location=Location(float("nan"), 0.0)
    )
    assert nowhere.location is None  # dropped where every provider's data passes

    answers = resident.send("sigue sin funcionar")

    assert answers  # the dialog answered; its state holds nothing the database refuses


# -- times -----------------------------------------------------------------------------


@pytest.mark.parametrize("stamp", ["978307200", "9999999999", "nan", "1e400", "-5"])
def test_an_unbelievable_time_gives_way_to_the_arrival_time(stamp: str) -> None:
    channel = make_channel("whatsapp")
    payload = fixture("whatsapp", "text.json")
    whatsapp_message(payload)["timestamp"] = stamp
    before = timezone.now()

    assert post(channel, payload) == 200

    assert Message.objects.get().created_at >= before - dt.timedelta(seconds=1)


def test_a_believable_time_is_kept() -> None:
    channel = make_channel("whatsapp")
    payload = fixture("whatsapp", "text.json")
    whatsapp_message(payload)["timestamp"] = "1767225600"  # 2026-01-01 00:00 UTC

    assert post(channel, payload) == 200

    assert Message.objects.get().created_at == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_line_and_telegram_times_are_checked_too() -> None:
    line, telegram = make_channel("line"), make_channel("telegram")
    line_payload = fixture("line", "text_message.json")
    line_payload["events"][0]["timestamp"] = 10**18
    telegram_payload = fixture("telegram", "text_message.json")
    telegram_payload["message"]["date"] = 978307200
    before = timezone.now()

    assert post(line, line_payload) == 200
    assert post(telegram, telegram_payload) == 200

    assert all(m.created_at >= before - dt.timedelta(seconds=1) for m in Message.objects.all())
    assert Message.objects.count() == 2


# -- text and ids ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["whatsapp", "telegram", "line", "twilio"])
def test_a_nul_in_the_text_is_stripped_and_the_message_kept(provider: str) -> None:
    channel = make_channel(provider)
    text = "La farola\x00 sigue rota"
    if provider == "whatsapp":
        payload = fixture(provider, "text.json")
        whatsapp_message(payload)["text"]["body"] = text
    elif provider == "telegram":
        payload = fixture(provider, "text_message.json")
        payload["message"]["text"] = text
    elif provider == "line":
        payload = fixture(provider, "text_message.json")
        payload["events"][0]["message"]["text"] = text
    else:
        payload = fixture(provider, "inbound_sms.txt") | {"Body": text}

    assert post(channel, payload) == 200

    assert Message.objects.get().text == "La farola sigue rota"


def nothing_stored() -> bool:
    return not (
        Message.objects.exists() or Citizen.objects.exists() or WebhookEvent.objects.exists()
    )


def reaction_with_numeric_id() -> dict[str, Any]:
    payload = fixture("whatsapp", "reaction.json")
    whatsapp_message(payload)["id"] = 12345678901234567890
    return payload


def deleted_status_with_numeric_id() -> dict[str, Any]:
    payload = fixture("whatsapp", "status_delivered.json")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"], status["id"] = "deleted", 42
    return payload


def message_id_with_nul() -> dict[str, Any]:
    payload = fixture("whatsapp", "text.json")
    whatsapp_message(payload)["id"] = "wamid.\x00abc"
    return payload


def text_that_is_not_text() -> dict[str, Any]:
    payload = fixture("whatsapp", "text.json")
    whatsapp_message(payload)["text"]["body"] = {"nested": ["junk"]}
    return payload


@pytest.mark.parametrize(
    "payload",
    [
        reaction_with_numeric_id,
        deleted_status_with_numeric_id,
        message_id_with_nul,
        text_that_is_not_text,
    ],
)
def test_an_id_or_text_that_cannot_be_stored_is_a_400_with_nothing_stored(payload) -> None:
    channel = make_channel("whatsapp")

    assert post(channel, copy.deepcopy(payload())) == 400

    assert nothing_stored()


def test_a_nul_in_a_button_answer_is_stripped() -> None:
    channel = make_channel("telegram")
    payload = fixture("telegram", "callback_query.json")
    payload["callback_query"]["data"] = "yes\x00"
    payload["callback_query"]["id"] = "4382bfdwdsb323b2d9\x00"

    assert post(channel, payload) == 200

    stored = Message.objects.get().payload
    assert (stored["choice"], stored["callback_id"]) == ("yes", "4382bfdwdsb323b2d9")
