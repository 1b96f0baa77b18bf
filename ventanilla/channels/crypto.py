"""Encryption at rest for channel secrets (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = settings.FIELD_ENCRYPTION_KEY
    if not key:
        # Derive a stable key from SECRET_KEY so a laptop demo needs no extra setting.
        digest = hashlib.sha256(b"ventanilla-channel-secrets:" + settings.SECRET_KEY.encode())
        key = base64.urlsafe_b64encode(digest.digest()).decode()
    return Fernet(key)


def encrypt_json(data: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(data, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, str]:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise RuntimeError(
            "Channel secrets cannot be decrypted: FIELD_ENCRYPTION_KEY or SECRET_KEY changed."
        ) from exc
