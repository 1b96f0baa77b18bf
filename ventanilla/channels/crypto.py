"""Encryption at rest for channel secrets (Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken

from ventanilla.core.crypto import fernet


def _fernet() -> Fernet:
    return fernet(b"ventanilla-channel-secrets")


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
