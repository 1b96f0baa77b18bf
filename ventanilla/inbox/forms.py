from __future__ import annotations

from typing import Any

import django_otp
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice


class StaffLoginForm(AuthenticationForm):
    """Username, password and, for staff with a TOTP device, the six-digit code."""

    otp_token = forms.CharField(
        label=_("Verification code"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The six digits your authenticator app shows."),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "otp_invalid": _("The verification code is not valid. Try the current code."),
        "otp_missing": _(
            "Your account has no second factor yet. Ask an administrator to set one up."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        devices = TOTPDevice.objects.devices_for_user(user, confirmed=True)
        if not devices.exists():
            if settings.OTP_REQUIRED:
                raise forms.ValidationError(self.error_messages["otp_missing"], code="otp_missing")
            return
        device = django_otp.match_token(user, self.cleaned_data.get("otp_token") or "")
        if device is None:
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        self.otp_device = device
