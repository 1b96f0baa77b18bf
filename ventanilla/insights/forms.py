"""The period of the staff statistics."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import Council

DEFAULT_DAYS = 30
MAX_DAYS = 731
#: the dates a period may use: outside them, a period and the one before it would run past
#: what a date can hold (a request for the year 1 was a 500)
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(9000, 12, 31)


def within_range(*days: dt.date | None) -> bool:
    """Whether every date given lies between ``EARLIEST`` and ``LATEST``."""
    return all(EARLIEST <= day <= LATEST for day in days if day is not None)


class PeriodForm(forms.Form):
    """From and until (by default the last 30 days) and how to group the volumes."""

    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    granularity = forms.ChoiceField(
        label=_("Group volumes by"),
        required=False,
        choices=[
            ("", _("Automatic")),
            ("day", _("Day")),
            ("week", _("Week")),
            ("month", _("Month")),
        ],
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        if start and end and (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(_("A period is at most two years long."))
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """Return the period asked for, or the last 30 days when the form is empty or wrong."""
        today = timezone.now().astimezone(self.council.tz).date()
        data = self.cleaned_data if self.is_valid() else {}
        if not within_range(data.get("start"), data.get("end")):
            data = {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if (end - start).days >= MAX_DAYS or end < start:
            end, start = today, today - dt.timedelta(days=DEFAULT_DAYS - 1)
        return start, end

    def granularity_value(self) -> Any:
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("granularity") or None
