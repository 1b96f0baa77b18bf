from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def figure(value: Any) -> str:
    """Show a figure the reader's way ("—" when it cannot be worked out)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_format(value, decimal_pos=1 if round(value, 1) == value else 2)
    return str(value)
