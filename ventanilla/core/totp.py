"""A staff member's TOTP second factor: enrol a device and show how to add it to an app."""

from __future__ import annotations

import base64
import io

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class DeviceExists(ValueError):
    """The user already has a TOTP device and replacing it was not asked for."""


@transaction.atomic
def enrol_totp_device(
    *, user: AbstractBaseUser, name: str = "authenticator", replace: bool = False
) -> TOTPDevice:
    """Give ``user`` a confirmed TOTP device; with ``replace``, delete their others first."""
    existing = TOTPDevice.objects.filter(user=user)
    if existing.exists() and not replace:
        raise DeviceExists(user.get_username())
    existing.delete()
    return TOTPDevice.objects.create(user=user, name=name, confirmed=True)


def enrolment_text(device: TOTPDevice, *, qr: bool = True) -> str:
    """Return the device's base32 secret, its otpauth:// URI and, with ``qr``, a QR code."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    lines = [f"Secret (base32): {secret}", f"URI: {device.config_url}"]
    if qr:
        drawing = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=drawing, compact=True)
        lines += ["Scan this with the authenticator app:", drawing.getvalue()]
    return "\n".join(lines)
