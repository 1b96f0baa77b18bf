"""The channels the fake server stands in for: those whose API base points at it."""

from __future__ import annotations

from ventanilla.channels.models import Channel


def fake_channels(*, fakes_url: str) -> list[Channel]:
    """Return the active channels whose provider API is the fake server at ``fakes_url``."""
    prefix = fakes_url.rstrip("/") + "/"
    return list(Channel.objects.active().filter(api_base__startswith=prefix).order_by("pk"))
