"""Messenger and Instagram through the fake Graph API and the live webhook: the done-when."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.cases.models import Case
from ventanilla.conversations.models import Direction, Message
from ventanilla.conversations.tests.chat import make_town
from ventanilla.fakes.tests.harness import Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def texts_sent(fakes: Fakes, provider: str) -> list[str]:
    import json

    return [
        json.loads(call["body"])["message"].get("text", "")
        for call in fakes.calls(provider)
        if call["path"].endswith("/me/messages")
    ]


def quick_reply(fakes: Fakes, provider: str, title: str) -> str:
    import json

    for call in reversed(fakes.calls(provider)):
        for option in json.loads(call["body"])["message"].get("quick_replies") or []:
            if option["title"] == title:
                return str(option["payload"])
    raise AssertionError(f"{title!r} not offered")


@pytest.mark.parametrize("provider", ["messenger", "instagram"])
def test_a_signed_message_opens_a_case_through_the_dialog(provider: str, fakes: Fakes) -> None:
    town = make_town()
    channel = fakes.channel(provider, council=town.council)
    say: Any = fakes.resident_says
    assert say(channel, text="Hola, la farola de la calle Mayor 3 está apagada")["status"] == 200
    run_tasks()
    assert "Antes de empezar, sobre sus datos" in "\n".join(texts_sent(fakes, provider))
    say(channel, text="Acepto", choice=quick_reply(fakes, provider, "Acepto"))
    run_tasks()
    say(channel, text="Sí, es eso", choice=quick_reply(fakes, provider, "Sí, es eso"))
    run_tasks()
    case = Case.objects.get()
    assert case.council == town.council
    assert any(case.reference in text for text in texts_sent(fakes, provider))
    # the fake's delivery receipts reach the sent rows
    assert fakes.flush() and all(status == 200 for status in fakes.flush() or [200])
    out = Message.objects.filter(direction=Direction.OUT, channel=channel)
    assert out.exclude(delivered_at=None).exists()


def test_a_forged_messenger_webhook_is_refused_and_nothing_is_stored(fakes: Fakes) -> None:
    channel = fakes.channel("messenger", council=make_town().council)
    delivery = fakes.webhook(channel, text="Hola")
    delivery.headers["x-hub-signature-256"] = "sha256=" + "ab" * 32
    assert fakes.post(delivery).status_code == 403
    tampered = fakes.webhook(channel, text="Hola")
    tampered.body = tampered.body.replace(b"Hola", b"Adios")
    assert fakes.post(tampered).status_code == 403
    assert not Message.objects.exists()
    assert not Case.objects.exists()


def test_the_subscription_handshake(fakes: Fakes) -> None:
    channel = fakes.channel("messenger", council=make_town().council)
    query = {"hub.mode": "subscribe", "hub.verify_token": "fb-verify-token", "hub.challenge": "42"}
    url = fakes.live_url + channel.webhook_path
    assert fakes.client.get(url, params=query).text == "42"
    assert fakes.client.get(url, params=query | {"hub.verify_token": "no"}).status_code == 403
