"""Encryption at rest for small secrets owned by ``core`` (staff TOTP seeds).

The same construction as channel secrets (``channels.crypto``): Fernet (AES-128-CBC +
HMAC-SHA256) with ``FIELD_ENCRYPTION_KEY``, or a key derived from ``SECRET_KEY`` when that
is not set, so a laptop demo needs no extra setting.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(b"ventanilla-totp-seeds:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def encrypt_text(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError(
            "A TOTP seed cannot be decrypted: FIELD_ENCRYPTION_KEY or SECRET_KEY changed."
        ) from exc
