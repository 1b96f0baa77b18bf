"""Sign staff in as the inbox does: password, then a verified TOTP device."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from ventanilla.core.models import EncryptedTOTPDevice


def sign_in(client: Client, user: Any) -> Client:
    """Log ``user`` in on ``client`` with a confirmed TOTP device, already verified."""
    device = EncryptedTOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = EncryptedTOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
