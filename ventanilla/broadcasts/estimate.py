"""Before sending: how many residents on which channels, what it costs, when it finishes.

Each channel sends at its own rate (``Channel.rate_per_second``), all channels at once. A
WhatsApp number may start conversations (templates, outside the 24-hour window) with only
so many distinct residents per rolling 24 hours: its messaging limit, set per channel as
``options["messaging_limit"]`` (250, 2000, 10000, 100000 or 0 for unlimited; 250 when not
set, Meta's start for a new number). A broadcast beyond it spreads over days.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ventanilla.broadcasts.models import Broadcast
from ventanilla.channels.models import Channel, Provider
from ventanilla.channels.policy import reply_window
from ventanilla.channels.segments import count_segments

MESSAGING_LIMITS = (250, 2000, 10000, 100000, 0)
DEFAULT_MESSAGING_LIMIT = 250
DAY = dt.timedelta(hours=24)
#: unit prices in euros when a channel sets none in ``options["prices"]``; dated, because
#: providers revise them (shared/reference/domain.md: WhatsApp utility template in Spain
#: ≈0.02 $ from July 2025, free-form messages inside the window free; SMS ≈0.05 € a segment)
DEFAULT_PRICES: dict[str, dict[str, Decimal]] = {
    "whatsapp": {"template": Decimal("0.0200"), "session": Decimal("0")},
    "twilio": {"segment": Decimal("0.0500")},
}
PRICES_DATED = dt.date(2025, 7, 1)


def messaging_limit(channel: Channel) -> int | None:
    """Return the distinct residents a WhatsApp number may start talks with per 24 h, or None."""
    if channel.provider != Provider.WHATSAPP:
        return None
    raw = (channel.options or {}).get("messaging_limit", DEFAULT_MESSAGING_LIMIT)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = DEFAULT_MESSAGING_LIMIT
    return value if value > 0 else None


def unit_price(channel: Channel, kind: str) -> Decimal:
    prices = (channel.options or {}).get("prices") or {}
    if kind in prices:
        return Decimal(str(prices[kind]))
    return DEFAULT_PRICES.get(channel.provider, {}).get(kind, Decimal("0"))


@dataclass(frozen=True)
class ChannelPlan:
    channel: Channel
    recipients: int
    templates: int
    segments: int
    cost: Decimal
    seconds: float
    days: int  # whole days added by the messaging limit

    @property
    def finish_after(self) -> dt.timedelta:
        return dt.timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Plan:
    channels: list[ChannelPlan]
    skipped: int

    @property
    def recipients(self) -> int:
        return sum(p.recipients for p in self.channels)

    @property
    def cost(self) -> Decimal:
        return sum((p.cost for p in self.channels), Decimal("0"))

    @property
    def seconds(self) -> float:
        return max((p.seconds for p in self.channels), default=0.0)

    @property
    def days(self) -> int:
        return max((p.days for p in self.channels), default=0)


def channel_time(*, channel: Channel, messages: int, templates: int) -> tuple[float, int]:
    """Return (seconds to send ``messages`` on ``channel``, whole days the limit adds)."""
    rate = channel.rate_per_second if channel.rate_per_second > 0 else math.inf
    seconds = messages / rate
    limit = messaging_limit(channel)
    if limit is None or templates <= limit:
        return seconds, 0
    days = math.ceil(templates / limit) - 1
    last_day = templates - days * limit + (messages - templates)
    return max(seconds, days * DAY.total_seconds() + last_day / rate), days


def plan(broadcast: Broadcast, subscriptions: Any) -> Plan:
    """Return what sending ``broadcast`` to ``subscriptions`` takes, channel by channel."""
    channels = {c.pk: c for c in Channel.objects.filter(council_id=broadcast.council_id)}
    counts: Counter[int] = Counter()
    templates: Counter[int] = Counter()
    segments: Counter[int] = Counter()
    skipped = 0
    rows = subscriptions.values_list(
        "conversation__channel_id", "conversation__last_inbound_at", "citizen__language"
    )
    sms_segments = {
        lang: count_segments(broadcast.text_for(lang)).segments
        for lang in broadcast.council.language_codes
    }
    for channel_id, last_inbound_at, language in rows.iterator(chunk_size=5000):
        channel = channels[channel_id]
        if not reply_window(provider=channel.provider, last_inbound_at=last_inbound_at).open:
            if not broadcast.template_name:
                skipped += 1
                continue
            templates[channel_id] += 1
        counts[channel_id] += 1
        if channel.provider == Provider.TWILIO:
            segments[channel_id] += (
                sms_segments.get(language) or sms_segments[broadcast.council.language_codes[0]]
            )
    result = []
    for channel_id, n in sorted(counts.items()):
        channel = channels[channel_id]
        cost = templates[channel_id] * unit_price(channel, "template") + segments[
            channel_id
        ] * unit_price(channel, "segment")
        seconds, days = channel_time(channel=channel, messages=n, templates=templates[channel_id])
        result.append(
            ChannelPlan(
                channel, n, templates[channel_id], segments[channel_id], cost, seconds, days
            )
        )
    return Plan(result, skipped)


def estimated_finish(broadcast: Broadcast, remaining: dict[int, tuple[int, int]]) -> dt.datetime:
    """Return when the rest goes out: ``remaining`` is {channel id: (queued, templates)}."""
    channels = {c.pk: c for c in Channel.objects.filter(pk__in=list(remaining))}
    seconds = max(
        (
            channel_time(channel=channels[pk], messages=n, templates=t)[0]
            for pk, (n, t) in remaining.items()
        ),
        default=0.0,
    )
    return timezone.now() + dt.timedelta(seconds=seconds)
