"""Forms that read what the public sends."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Category
from ventanilla.cases.workflow import Status
from ventanilla.citizens.urns import InvalidUrn, normalise_phone
from ventanilla.core.forms import PeriodDateField, choice_field
from ventanilla.core.models import Council
from ventanilla.portal import selectors
from ventanilla.portal.selectors import BoundingBox, RecordFilters
from ventanilla.streets.matching import match_address

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


REPORT_STARTED_SALT = "ventanilla.portal.report-started"
#: the kinds of image a resident may attach to a report (Pillow's format names)
PHOTO_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})


def started_token() -> str:
    """Return the signed moment a report form was handed out (its minimum-time check)."""
    return signing.dumps(time.time(), salt=REPORT_STARTED_SALT)


@dataclass(frozen=True)
class Contact:
    """How a resident who reports on the portal wants to hear back: "email" or "phone"."""

    kind: str
    value: str


class ReportForm(forms.Form):
    """A report from the portal (FixMyStreet's pattern): what, where, and optionally who.

    Spam protection without third parties: ``website`` is a honeypot (hidden from people,
    filled in by robots), ``started`` is the signed moment the form was handed out (a robot
    sends it at once); the view also counts reports per address.
    """

    category = forms.ChoiceField(label=_("What is the problem about?"))
    description = forms.CharField(
        label=_("Describe the problem"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What is wrong and since when. Please do not write personal data."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("A JPEG, PNG or WebP image. Its location data is removed."),
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    address = forms.CharField(
        label=_("Street and number"),
        required=False,
        max_length=200,
        help_text=_("Or place the pin on the map."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    contact = forms.CharField(
        label=_("Your e-mail or phone (optional)"),
        required=False,
        max_length=200,
        help_text=_(
            "We send you the reference number and news of the case. It is never published."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(widget=forms.HiddenInput)
    new_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.council = council
        self.categories = {
            c.code: c for c in selectors.public_categories(council).filter(active=True)
        }
        choice_field(self, "category").choices = [("", _("Choose a category"))] + [
            (c.code, c.name) for c in sorted(self.categories.values(), key=lambda c: c.name)
        ]
        if not self.is_bound:
            self.initial["started"] = started_token()

    @property
    def is_robot(self) -> bool:
        """Whether the honeypot was filled in (only meaningful once validated)."""
        return bool(self.data.get("website"))

    def clean_category(self) -> Category:
        code = self.cleaned_data["category"]
        category = self.categories.get(code)
        if category is None:
            raise ValidationError(_("Choose one of the categories."))
        return category

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > settings.PORTAL_REPORT_PHOTO_MAX_BYTES:
            raise ValidationError(
                _("The photo is too large: at most %(megabytes)s MB.")
                % {"megabytes": settings.PORTAL_REPORT_PHOTO_MAX_BYTES // 1_000_000}
            )
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(upload) as image:
                kind = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ValidationError(_("The photo must be a JPEG, PNG or WebP image.")) from exc
        if kind not in PHOTO_FORMATS:
            raise ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
        upload.seek(0)
        return upload

    def clean_contact(self) -> Contact | None:
        text = (self.cleaned_data.get("contact") or "").strip()
        if not text:
            return None
        if "@" in text:
            try:
                validate_email(text)
            except ValidationError as exc:
                raise ValidationError(_("This e-mail address is not valid.")) from exc
            return Contact(kind="email", value=text)
        try:
            return Contact(kind="phone", value=normalise_phone(text, self.council.country or "ES"))
        except InvalidUrn as exc:
            raise ValidationError(_("Write an e-mail address or a phone number.")) from exc

    def clean_started(self) -> float:
        try:
            started = float(
                signing.loads(
                    self.cleaned_data["started"], salt=REPORT_STARTED_SALT, max_age=24 * 3600
                )
            )
        except (signing.BadSignature, TypeError, ValueError) as exc:
            raise ValidationError(_("The form has expired. Please send it again.")) from exc
        if time.time() - started < settings.PORTAL_REPORT_MIN_SECONDS:
            raise ValidationError(_("That was too fast. Please check the form and send it again."))
        return started

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        latitude, longitude = data.get("latitude"), data.get("longitude")
        address = (data.get("address") or "").strip()
        if (latitude is None) != (longitude is None):
            latitude = longitude = None
        if latitude is None and address:
            found = match_address(council=self.council, text=address)
            if found is not None:
                latitude, longitude = found.street.latitude, found.street.longitude
                address = found.address
        if latitude is None and not address:
            raise ValidationError(_("Say where the problem is: place the pin or write the street."))
        data["latitude"], data["longitude"], data["address"] = latitude, longitude, address
        return data

    def duplicates(self) -> list[Any]:
        """Return the open public cases like this one nearby (after validation)."""
        data = self.cleaned_data
        if data.get("latitude") is None or data.get("longitude") is None:
            return []
        return selectors.nearby_duplicates(
            self.council,
            category=data["category"],
            latitude=data["latitude"],
            longitude=data["longitude"],
        )
