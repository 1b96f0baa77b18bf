"""What messages cost, per channel and month, against the same messages sent as SMS.

Each outbound message that reached the provider (sent, delivered or read) is priced by its
provider and category at the unit price valid on its day (``UnitPrice``; the built-in
defaults of ``estimate.DEFAULT_PRICES`` when none is configured): a WhatsApp template or a
free-form message inside the window, an SMS by its segments (GSM-7 or UCS-2), others per
message. The comparison prices every one of them as SMS segments of its text.

Messages to the council's own staff and crews (``crews.StaffMessage``: work orders, staff
notices, internal messages) are priced the same way, in rows of their own: they are what
councils used to pay as SMS between official phones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.broadcasts.estimate import DEFAULT_PRICES
from ventanilla.broadcasts.models import PriceCategory, UnitPrice
from ventanilla.channels.models import Channel, Provider
from ventanilla.channels.segments import count_segments
from ventanilla.conversations.models import DeliveryStatus, Direction, Message
from ventanilla.core.models import Council
from ventanilla.crews.models import StaffMessage

CHARGED = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ)
SMS = Provider.TWILIO.value
RESIDENTS, STAFF = "residents", "staff"
AUDIENCES = {RESIDENTS: _("Residents"), STAFF: _("Staff (internal)")}
STAFF_CHARGED = (
    StaffMessage.Status.SENT,
    StaffMessage.Status.DELIVERED,
    StaffMessage.Status.READ,
)


@dataclass
class CostRow:
    month: str  # "2026-03"
    channel: Channel
    audience: str = RESIDENTS  # or STAFF: messages to the council's own staff and crews
    messages: int = 0
    units: int = 0  # what is billed: templates, segments or messages
    cost: Decimal = Decimal("0")
    sms_segments: int = 0
    as_sms: Decimal = Decimal("0")

    @property
    def saving(self) -> Decimal:
        return self.as_sms - self.cost

    @property
    def audience_label(self) -> str:
        return str(AUDIENCES[self.audience])


class PriceBook:
    """Unit prices by provider and category, each valid from its date."""

    def __init__(self) -> None:
        self.prices: dict[tuple[str, str], list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for row in UnitPrice.objects.order_by("valid_from"):
            self.prices[(row.provider, row.category)].append((row.valid_from, row.amount))

    def price(self, provider: str, category: str, day: dt.date) -> Decimal:
        found = None
        for valid_from, amount in self.prices.get((provider, category), ()):
            if valid_from <= day:
                found = amount
        if found is not None:
            return found
        return DEFAULT_PRICES.get(provider, {}).get(category, Decimal("0"))


def category_of(provider: str, payload: dict[str, object]) -> str:
    if provider == Provider.WHATSAPP:
        return PriceCategory.TEMPLATE if payload.get("template") else PriceCategory.SESSION
    if provider == SMS:
        return PriceCategory.SEGMENT
    return PriceCategory.MESSAGE


def cost_report(council: Council | None, start: dt.date, end: dt.date) -> list[CostRow]:
    """Return one row per channel and month between ``start`` and ``end`` (both included).

    ``council`` None: every council (the installation operator's view).
    """
    book = PriceBook()
    tz = timezone.get_current_timezone()
    messages = Message.objects.filter(
        direction=Direction.OUT,
        status__in=CHARGED,
        created_at__date__gte=start,
        created_at__date__lte=end,
    )
    staff = StaffMessage.objects.filter(
        direction=StaffMessage.Direction.OUT,
        status__in=STAFF_CHARGED,
        created_at__date__gte=start,
        created_at__date__lte=end,
    )
    if council is not None:
        messages = messages.filter(council=council)
        staff = staff.filter(council=council)
    channels = {c.pk: c for c in Channel.objects.all()}
    rows: dict[tuple[str, str, int], CostRow] = {}
    fields = ("channel_id", "created_at", "text", "payload")
    for audience, source in ((RESIDENTS, messages), (STAFF, staff)):
        for channel_id, created_at, text, payload in source.values_list(*fields).iterator(
            chunk_size=2000
        ):
            channel = channels[channel_id]
            day = created_at.astimezone(tz).date()
            key = (f"{day:%Y-%m}", audience, channel_id)
            row = rows.setdefault(key, CostRow(key[0], channel, audience))
            segments = max(1, count_segments(text or "").segments)
            category = category_of(channel.provider, payload or {})
            units = segments if category == PriceCategory.SEGMENT else 1
            row.messages += 1
            row.units += units
            row.cost += units * book.price(channel.provider, category, day)
            row.sms_segments += segments
            row.as_sms += segments * book.price(SMS, PriceCategory.SEGMENT, day)
    return sorted(
        rows.values(),
        key=lambda r: (r.month, r.audience != RESIDENTS, r.channel.name, r.channel.pk),
    )


@dataclass
class CouncilCosts:
    """One council's rows and its totals (the installation operator sees one per council)."""

    council: Council
    rows: list[CostRow]

    @property
    def cost(self) -> Decimal:
        return sum((r.cost for r in self.rows), Decimal("0"))

    @property
    def as_sms(self) -> Decimal:
        return sum((r.as_sms for r in self.rows), Decimal("0"))

    @property
    def saving(self) -> Decimal:
        return self.as_sms - self.cost


def by_council(rows: list[CostRow]) -> list[CouncilCosts]:
    """Group ``rows`` by the council of their channel, councils by name."""
    groups: dict[int, CouncilCosts] = {}
    councils = Council.objects.in_bulk({r.channel.council_id for r in rows})
    for row in rows:
        council = councils[row.channel.council_id]
        groups.setdefault(council.pk, CouncilCosts(council, [])).rows.append(row)
    return sorted(groups.values(), key=lambda g: (g.council.name, g.council.pk))


CSV_HEADER = (
    "month", "audience", "channel", "provider", "messages", "units", "cost", "sms_segments",
    "as_sms", "saving",
)  # fmt: skip


def csv_rows(rows: list[CostRow], *, with_council: bool) -> Iterator[list[object]]:
    """Yield the CSV of ``rows``, its header first; ``with_council`` adds the council's slug."""
    councils = Council.objects.in_bulk({r.channel.council_id for r in rows}) if with_council else {}
    yield [*(["council"] if with_council else []), *CSV_HEADER]
    for row in rows:
        yield [
            *([councils[row.channel.council_id].slug] if with_council else []),
            row.month,
            row.audience,
            row.channel.name,
            row.channel.provider,
            row.messages,
            row.units,
            f"{row.cost:.2f}",
            row.sms_segments,
            f"{row.as_sms:.2f}",
            f"{row.saving:.2f}",
        ]
