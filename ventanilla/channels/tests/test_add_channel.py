"""`ventanilla add_channel`: a channel from the shell, and its webhook address as JSON."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels.models import Channel
from ventanilla.fakes.tests.harness import Fakes

pytestmark = pytest.mark.django_db(transaction=True)

WHATSAPP = [
    "--phone-number-id=106540352242922",
    "--access-token=EAAG-token",
    "--app-secret=app-secret-123",
    "--verify-token=verify-me",
]


def add_channel(*args: str) -> dict:  # type: ignore[type-arg]
    out = io.StringIO()
    call_command("add_channel", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_add_channel_prints_one_json_object_with_the_webhook(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_URL = "https://desk.example.org"
    council = make_council(slug="villaverde")

    data = add_channel("whatsapp", "--name", "WhatsApp del Ayuntamiento", *WHATSAPP, "--rate=40")

    channel = Channel.objects.get(pk=data["id"])
    assert data["provider"] == "whatsapp"
    assert data["name"] == "WhatsApp del Ayuntamiento"
    assert data["council"] == "villaverde"
    assert data["webhook_path"] == f"/hooks/whatsapp/{channel.pk}/"
    assert data["webhook_url"] == f"https://desk.example.org/hooks/whatsapp/{channel.pk}/"
    assert data["api_base"] == "https://graph.facebook.com"
    assert channel.council == council
    assert channel.rate_per_second == 40
    assert channel.secrets["app_secret"] == "app-secret-123"
    assert "app-secret-123" not in channel.secrets_encrypted  # encrypted at rest


@pytest.mark.parametrize(
    ("provider", "secrets"),
    [
        ("telegram", ["--bot-token=1:abc", "--secret-token=s3cret"]),
        ("line", ["--channel-secret=cs", "--access-token=at"]),
        ("twilio", ["--account-sid=AC1", "--auth-token=tok", "--from-number=+34910000000"]),
    ],
)
def test_add_channel_for_each_provider(provider: str, secrets: list[str]) -> None:
    make_council()

    data = add_channel(provider, "--name", provider, *secrets, "--api-base=http://127.0.0.1:9/x")

    channel = Channel.objects.get(pk=data["id"])
    assert channel.provider == provider
    assert channel.api_base == "http://127.0.0.1:9/x"


def test_missing_secrets_are_named() -> None:
    make_council()

    with pytest.raises(CommandError, match="--app-secret, --verify-token"):
        add_channel("whatsapp", "--name", "x", "--phone-number-id=1", "--access-token=t")

    assert not Channel.objects.exists()


def test_the_council_must_be_said_when_there_are_several() -> None:
    make_council(slug="uno")
    make_council(slug="dos")

    with pytest.raises(CommandError, match="--council"):
        add_channel("line", "--name", "x", "--channel-secret=cs", "--access-token=at")

    data = add_channel(
        "line", "--name", "x", "--channel-secret=cs", "--access-token=at", "--council=dos"
    )
    assert Channel.objects.get(pk=data["id"]).council.slug == "dos"


def test_telegram_set_webhook_points_the_bot_at_the_channel(fakes: Fakes) -> None:
    make_council()
    token, secret = "7000000002:bot-token", "hook-secret"
    fakes.client.post(
        f"{fakes.url}/_control/channels",
        json={
            "provider": "telegram",
            "webhook_url": "http://old.example/",
            "secrets": {"bot_token": token, "secret_token": "old"},
        },
    ).raise_for_status()

    data = add_channel(
        "telegram",
        "--name=Bot",
        f"--bot-token={token}",
        f"--secret-token={secret}",
        f"--api-base={fakes.url}/telegram",
        "--set-webhook",
    )

    [call] = [c for c in fakes.calls("telegram") if c["path"].endswith("/setWebhook")]
    sent = json.loads(call["body"])
    assert sent["url"] == data["webhook_url"]
    assert sent["secret_token"] == secret
    # The fake now delivers the bot's updates to the new channel, signed with its secret.
    answer = fakes.resident_says(Channel.objects.get(pk=data["id"]), text="Hola")
    assert answer["status"] == 200


def test_a_refused_webhook_leaves_no_channel(fakes: Fakes) -> None:
    make_council()

    with translation.override("en"), pytest.raises(CommandError, match="Telegram refused"):
        add_channel(
            "telegram",
            "--name=Bot",
            "--bot-token=1:unknown-to-the-fake",
            "--secret-token=s",
            f"--api-base={fakes.url}/telegram",
            "--set-webhook=https://desk.example.org/hooks/telegram/1/",
        )

    assert not Channel.objects.exists()


def test_set_webhook_is_refused_for_a_provider_that_cannot_register_one() -> None:
    make_council()

    with translation.override("en"), pytest.raises(CommandError, match="for Telegram only"):
        add_channel("whatsapp", "--name=WhatsApp", *WHATSAPP, "--set-webhook")

    assert not Channel.objects.exists()


def test_add_channel_stores_the_address_residents_use(settings) -> None:  # type: ignore[no-untyped-def]
    make_council(slug="villaverde")
    data = add_channel(
        "whatsapp", "--name", "WhatsApp", *WHATSAPP, "--public-address", " +34 910 000 001 "
    )
    assert data["public_address"] == "+34 910 000 001"
    assert Channel.objects.get(pk=data["id"]).public_address == "+34 910 000 001"


def test_add_channel_email_prints_its_address_and_no_webhook() -> None:
    make_council(slug="villaverde")

    data = add_channel(
        "email", "--name", "Buzón del Ayuntamiento", "--address", "Buzon@Ayuntamiento.example"
    )

    channel = Channel.objects.get(pk=data["id"])
    assert data["provider"] == "email"
    assert data["address"] == "buzon@ayuntamiento.example"
    assert data["webhook_url"] == ""
    assert channel.options == {
        "address": "buzon@ayuntamiento.example",
        "display_name": "Buzón del Ayuntamiento",
    }


def test_add_channel_email_needs_a_free_valid_address() -> None:
    make_council()
    with translation.override("en"), pytest.raises(CommandError, match="--address"):
        add_channel("email", "--name", "Buzón")
    with translation.override("en"), pytest.raises(CommandError, match="valid address"):
        add_channel("email", "--name", "Buzón", "--address", "buzon")
    add_channel("email", "--name", "Buzón", "--address", "buzon@ayuntamiento.example")
    with translation.override("en"), pytest.raises(CommandError, match="Another e-mail channel"):
        add_channel("email", "--name", "Otro", "--address", "BUZON@ayuntamiento.example")
