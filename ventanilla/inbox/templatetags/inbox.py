"""Template helpers of the inbox: deadlines, delivery ticks, history values."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.cases.models import Case, Priority
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Provider
from ventanilla.conversations.models import DeliveryStatus, Message

register = template.Library()


@register.filter
def deadline_state(case: Case, now: dt.datetime | None = None) -> str:
    """Return "overdue", "at-risk", "ok" or "done" for the case's deadline."""
    if not case.is_open:
        return "done"
    now = now or timezone.now()
    if case.due_at < now:
        return "overdue"
    if case.due_at < now + dt.timedelta(hours=settings.AT_RISK_MARGIN_HOURS):
        return "at-risk"
    return "ok"


@register.simple_tag
def deadline_label(case: Case, now: dt.datetime | None = None) -> str:
    state = deadline_state(case, now)
    return {
        "overdue": _("Overdue"),
        "at-risk": _("Due soon"),
        "ok": _("On time"),
        "done": _("Finished"),
    }[state]


# The queue renders fifty rows: these lookups are a fraction of the cost of Django's
# get_FOO_display(), humanize's naturaltime and the date filter, per row.
STATUS_LABELS = {status.value: status.label for status in Status}
PRIORITY_LABELS = {priority.value: priority.label for priority in Priority}
PROVIDER_LABELS = {provider.value: provider.label for provider in Provider}


@register.filter
def status_label(value: str) -> str:
    return str(STATUS_LABELS.get(value, value))


@register.filter
def priority_label(value: int) -> str:
    return str(PRIORITY_LABELS.get(value, value))


@register.filter
def provider_label(value: str) -> str:
    return str(PROVIDER_LABELS.get(value, value))


#: a short mark for each provider, beside its name in the thread (the name is the text)
PROVIDER_MARKS = {"whatsapp": "WA", "telegram": "TG", "line": "LN", "twilio": "SMS"}


@register.filter
def provider_mark(value: str) -> str:
    return PROVIDER_MARKS.get(value, value[:3].upper())


@register.filter
def iso(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


@register.simple_tag
def due_text(case: Case, now: dt.datetime) -> str:
    """Say when a deadline falls, relative to now: "in 3 days", "5 hours late"."""
    seconds = (case.due_at - now).total_seconds()
    late = seconds < 0
    seconds = abs(seconds)
    if seconds >= 2 * 86400:
        n = int(seconds // 86400)
        if late:
            return ngettext("%(n)d day late", "%(n)d days late", n) % {"n": n}
        return ngettext("in %(n)d day", "in %(n)d days", n) % {"n": n}
    if seconds >= 3600:
        n = int(seconds // 3600)
        if late:
            return ngettext("%(n)d hour late", "%(n)d hours late", n) % {"n": n}
        return ngettext("in %(n)d hour", "in %(n)d hours", n) % {"n": n}
    n = max(1, int(seconds // 60))
    if late:
        return ngettext("%(n)d minute late", "%(n)d minutes late", n) % {"n": n}
    return ngettext("in %(n)d minute", "in %(n)d minutes", n) % {"n": n}


TICKS = {
    DeliveryStatus.QUEUED: ("○", "queued"),
    DeliveryStatus.SENT: ("✓", "sent"),
    DeliveryStatus.DELIVERED: ("✓✓", "delivered"),
    DeliveryStatus.READ: ("✓✓", "read"),
    DeliveryStatus.FAILED: ("⚠", "failed"),
}


@register.inclusion_tag("inbox/_ticks.html")
def delivery_ticks(message: Message) -> dict[str, Any]:
    symbol, css = TICKS.get(DeliveryStatus(message.status), ("", "unknown"))
    return {"message": message, "symbol": symbol, "css": css}


@register.filter
def osm_url(point: Any) -> str:
    """Return an OpenStreetMap link for anything with ``latitude`` and ``longitude``."""
    lat, lon = point.latitude, point.longitude
    return (
        f"https://www.openstreetmap.org/?mlat={lat:.6f}&mlon={lon:.6f}#map=18/{lat:.6f}/{lon:.6f}"
    )
