"""A staff member's TOTP second factor: enrol a device and show how to add it to an app."""

from __future__ import annotations

import base64
import io

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from ventanilla.core.models import EncryptedTOTPDevice


class DeviceExists(ValueError):
    """The user already has a TOTP device and replacing it was not asked for."""


@transaction.atomic
def enrol_totp_device(
    *, user: AbstractBaseUser, name: str = "authenticator", replace: bool = False
) -> EncryptedTOTPDevice:
    """Give ``user`` a confirmed TOTP device; with ``replace``, delete their others first."""
    existing = EncryptedTOTPDevice.objects.filter(user=user)
    if existing.exists() and not replace:
        raise DeviceExists(user.get_username())
    existing.delete()
    return EncryptedTOTPDevice.objects.create(user=user, name=name, confirmed=True)


def enrolment_text(device: EncryptedTOTPDevice, *, qr: bool = True) -> str:
    """Return the device's base32 secret, its otpauth:// URI and, with ``qr``, a QR code."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    lines = [f"Secret (base32): {secret}", f"URI: {device.config_url}"]
    if qr:
        drawing = io.StringIO()
        segno.make(device.config_url, error="m").terminal(out=drawing, compact=True)
        lines += ["Scan this with the authenticator app:", drawing.getvalue()]
    return "\n".join(lines)
