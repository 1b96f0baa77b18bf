"""What integrators send to Open311, as the specification names it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.open311.format import DESCRIPTION_MAX_LENGTH


class Open311RequestForm(forms.Form):
    """POST Service Request, as the specification names its fields."""

    service_code = forms.CharField(max_length=50)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=1000)
    address_id = forms.CharField(required=False, max_length=200)
    email = forms.EmailField(required=False)
    device_id = forms.CharField(required=False, max_length=200)
    account_id = forms.CharField(required=False, max_length=200)
    first_name = forms.CharField(required=False, max_length=100)
    last_name = forms.CharField(required=False, max_length=100)
    phone = forms.CharField(required=False, max_length=50)
    description = forms.CharField(required=False, max_length=DESCRIPTION_MAX_LENGTH, strip=True)
    media_url = forms.URLField(required=False, max_length=2000, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "lat" in self.errors or "long" in self.errors:
            return data
        has_lat = data.get("lat") is not None
        has_long = data.get("long") is not None
        if has_lat != has_long:
            raise forms.ValidationError(_("lat and long must be sent together."))
        if not (has_lat or data.get("address_string") or data.get("address_id")):
            raise forms.ValidationError(
                _("A location is required: lat and long, address_string or address_id.")
            )
        return data
