"""Forms that read what the public sends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.workflow import Status
from ventanilla.core.forms import PeriodDateField, choice_field
from ventanilla.core.models import Council
from ventanilla.portal import selectors
from ventanilla.portal.selectors import BoundingBox, RecordFilters

DEFAULT_STATISTICS_DAYS = 365


class RecordFilterForm(forms.Form):
    """The filters of the list, the map and the downloads (all optional, from the query)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    department = forms.TypedChoiceField(
        label=_("Department"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    start = PeriodDateField(
        label=_("Reported from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = PeriodDateField(
        label=_("Reported until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    area = forms.CharField(label=_("Street or neighbourhood"), required=False, max_length=100)
    bbox = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("recent", _("Most recent first")), ("supports", _("Most supported first"))],
    )

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        everything = [("", _("All"))]
        choice_field(self, "category").choices = everything + [
            (c.code, c.name) for c in selectors.public_categories(council)
        ]
        choice_field(self, "department").choices = everything + [
            (d.pk, d.name) for d in selectors.public_departments(council)
        ]
        # "closed" is every finished status, as in Open311; the status "closed" itself (a
        # resolved case the resident confirmed) is only reachable through it.
        choice_field(self, "status").choices = everything + [
            (selectors.OPEN, _("Any open status")),
            (selectors.CLOSED, _("Any closed status")),
            (
                _("Exact status"),
                [(s.value, s.label) for s in Status if s.value != selectors.CLOSED],
            ),
        ]

    def clean_bbox(self) -> BoundingBox | None:
        text = self.cleaned_data.get("bbox") or ""
        if not text:
            return None
        box = BoundingBox.parse(text)
        if box is None:
            raise forms.ValidationError(_("The map area is not valid."))
        return box

    def filters(self) -> RecordFilters:
        """Return the valid filters; an invalid one is left out (and reported by the form)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        data = {key: value for key, value in cleaned.items() if key not in self.errors}
        tz = self.council.tz
        start = data.get("start")
        end = data.get("end")
        return RecordFilters(
            category=data.get("category") or "",
            department=data.get("department"),
            status=data.get("status") or "",
            start=dt.datetime.combine(start, dt.time(0, 0), tzinfo=tz) if start else None,
            end=(
                dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
                if end
                else None
            ),
            area=(data.get("area") or "").strip(),
            text=(data.get("q") or "").strip(),
            bbox=data.get("bbox"),
            order=data.get("order") or "recent",
        )


class PeriodForm(forms.Form):
    """The period of the statistics; by default the last twelve months."""

    start = PeriodDateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = PeriodDateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
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
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        today = timezone.now().astimezone(self.council.tz).date()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_STATISTICS_DAYS - 1)
        return start, end
