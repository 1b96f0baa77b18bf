"""`ventanilla add_channel` for Messenger, Instagram, Mastodon and Bluesky."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels.models import Channel

pytestmark = pytest.mark.django_db

META = [
    "--page-id=104837291038475",
    "--access-token=EAAG-page-token",
    "--app-secret=app-secret-123",
    "--verify-token=verify-me",
]
ARGS = {
    "messenger": META,
    "instagram": META,
    "mastodon": ["--access-token=mastodon-token", "--api-base=https://villaverde.social"],
    "bluesky": ["--identifier=ayuntamiento.bsky.social", "--app-password=abcd-efgh-ijkl-mnop"],
}


@pytest.mark.parametrize("provider", sorted(ARGS))
def test_add_a_social_channel(provider: str) -> None:
    make_council(slug="villaverde")
    out = io.StringIO()
    call_command(
        "add_channel", provider, "--name", provider.title(), *ARGS[provider], "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    channel = Channel.objects.get(pk=data["id"])
    assert channel.provider == provider
    assert data["webhook_path"] == f"/hooks/{provider}/{channel.pk}/"
    assert channel.secrets == {
        arg[2:].split("=")[0].replace("-", "_"): arg.split("=", 1)[1]
        for arg in ARGS[provider]
        if not arg.startswith("--api-base")
    }


def test_a_messenger_channel_needs_its_app_secret() -> None:
    make_council(slug="villaverde")
    with pytest.raises(CommandError, match="--app-secret"):
        call_command("add_channel", "messenger", "--name", "FB", *META[:2], "--verify-token=v")
