"""Encryption at rest for small secrets (staff TOTP seeds here; channel secrets in ``channels``).

Fernet (AES-128-CBC + HMAC-SHA256) with ``FIELD_ENCRYPTION_KEY``, or, when that is not set,
a key derived from ``SECRET_KEY`` and the secret's purpose, so a laptop demo needs no extra
setting and one kind of secret never decrypts with another's key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def fernet(purpose: bytes) -> Fernet:
    """Return the cipher for secrets of ``purpose`` (e.g. ``b"ventanilla-totp-seeds"``)."""
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        digest = hashlib.sha256(purpose + b":" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def _fernet() -> Fernet:
    return fernet(b"ventanilla-totp-seeds")


def encrypt_text(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt_text(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise RuntimeError(
            "A TOTP seed cannot be decrypted: FIELD_ENCRYPTION_KEY or SECRET_KEY changed."
        ) from exc
