"""Filters that write the portal's figures the way people read them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ventanilla.portal import contact

register = template.Library()


@register.filter
def duration(hours: float | None) -> str:
    """Return a duration in hours as "5.5 h", or "3.2 days" from two days on."""
    if hours is None:
        return "—"
    if hours < 48:
        return _("%(hours)s h") % {"hours": number_format(hours, 1)}
    return _("%(days)s days") % {"days": number_format(hours / 24, 1)}


@register.filter
def share(value: float | None) -> str:
    """Return a share (0 to 1) as a whole percentage."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, 0)} %"


@register.filter
def rating(value: float | None) -> str:
    """Return an average rating out of 5 with one decimal."""
    if value is None:
        return "—"
    return _("%(value)s of 5") % {"value": number_format(value, 1)}


@register.inclusion_tag("portal/_reach_us.html", takes_context=True)
def reach_us(context: template.Context) -> dict[str, Any]:
    """The council's channels, for the portal's home and case pages."""
    council = context.get("council")
    return {
        "ways": contact.ways_to_reach(council) if council is not None else [],
        "request": context.get("request"),
    }
