"""The demo channels: one per provider, pointed at the fakes, which learn them."""

from __future__ import annotations

import pytest

from ventanilla.cases.tests.factories import make_council
from ventanilla.demo.channels import (
    DEMO_MAIL_ADDRESS,
    configure_demo_channels,
    configure_demo_mailbox,
)
from ventanilla.fakes.channels import fake_channels
from ventanilla.fakes.server import FakeHub
from ventanilla.fakes.simulator import register_channels
from ventanilla.fakes.tests.harness import PROVIDERS

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_channels_are_made_once_and_the_fakes_learn_them() -> None:
    council = make_council()

    first = configure_demo_channels(
        council=council, fakes_url="http://127.0.0.1:8025", web_url="http://127.0.0.1:8000"
    )
    again = configure_demo_channels(
        council=council, fakes_url="http://127.0.0.1:8026", web_url="http://127.0.0.1:8000"
    )

    social = ["messenger", "instagram", "mastodon", "bluesky"]
    assert [c.provider for c in first] == PROVIDERS + social
    assert [c.pk for c in again] == [c.pk for c in first]
    assert again[0].api_base == "http://127.0.0.1:8026/whatsapp"
    channels = fake_channels(fakes_url="http://127.0.0.1:8026")
    assert [c.pk for c in channels] == [c.pk for c in first]
    assert fake_channels(fakes_url="http://127.0.0.1:8025") == []

    hub = FakeHub({})
    registered = register_channels(hub, channels=channels, web_url="http://127.0.0.1:8000")
    assert [c.webhook_url for c in registered] == [
        f"http://127.0.0.1:8000/hooks/{c.provider}/{c.pk}/" for c in channels
    ]
    assert registered[1].secrets == channels[1].secrets


def test_the_demo_mailbox_is_made_once() -> None:
    council = make_council()
    first = configure_demo_mailbox(council=council)
    again = configure_demo_mailbox(council=council)
    assert again.pk == first.pk
    assert first.provider == "email" and first.options["address"] == DEMO_MAIL_ADDRESS
