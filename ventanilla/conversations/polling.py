"""Channels whose messages are fetched (Mastodon, Bluesky): one poll stores what is new.

What a poll brings is stored exactly as a webhook's content (``inbound.receive``); the
cursor (the newest notification seen) is kept on the channel only after that, so a poll
that fails half-way is repeated and the provider's ids keep re-deliveries out.
"""

from __future__ import annotations

import httpx
import structlog
from django_tasks import task

from ventanilla.channels import services as channel_services
from ventanilla.channels.adapters import ADAPTERS, adapter_for
from ventanilla.channels.adapters.base import SendError, SupportsPolling
from ventanilla.channels.models import Channel
from ventanilla.conversations import inbound

log = structlog.get_logger(__name__)

#: the providers whose adapters poll
POLLED = tuple(code for code, cls in ADAPTERS.items() if hasattr(cls, "poll"))


def poll_channel(*, channel: Channel, client: httpx.Client) -> inbound.Received:
    """Fetch and store what arrived on ``channel`` since its last poll."""
    adapter = adapter_for(channel)
    if not isinstance(adapter, SupportsPolling):
        return inbound.Received()
    cursor = str((channel.options or {}).get("poll_cursor") or "")
    polled = adapter.poll(client, cursor)
    received = inbound.receive(channel=channel, parsed=polled.parsed)
    if polled.cursor != cursor:
        channel_services.remember_cursor(channel=channel, cursor=polled.cursor)
    (log.info if received.stored else log.debug)(
        "channel_polled",
        channel=channel.pk,
        provider=channel.provider,
        stored=len(received.stored),
        duplicates=received.duplicates,
    )
    return received


def polled_channels() -> list[Channel]:
    return list(
        Channel.objects.active()
        .filter(provider__in=POLLED)
        .select_related("council")
        .order_by("pk")
    )


@task(queue_name="default")
def poll_public_channels() -> int:
    """Poll every active Mastodon and Bluesky channel once (a periodic job); return new."""
    new = 0
    with httpx.Client(timeout=30) as client:
        for channel in polled_channels():
            try:
                new += len(poll_channel(channel=channel, client=client).stored)
            except SendError as error:  # the provider is down or refused: next round
                log.warning("channel_poll_failed", channel=channel.pk, reason=error.reason)
    return new
