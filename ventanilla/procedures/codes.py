"""Secret codes: the one-time code of an identity check, and the secure verification code (CSV).

The CSV (Ley 40/2015 art. 42) is 25 random characters of Crockford's base32 (125 bits):
it cannot be guessed or enumerated; the verification page is rate limited as well. People
read it in groups of five; any separators and letter case are accepted back.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

CSV_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CSV_LENGTH = 25
_CSV_CLEAN = re.compile(r"[\s\-.]")
_CROCKFORD_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_csv() -> str:
    return "".join(secrets.choice(CSV_ALPHABET) for _ in range(CSV_LENGTH))


def format_csv(csv: str) -> str:
    """Return ``csv`` in groups of five: ``ABCDE-FGHJK-...``."""
    return "-".join(csv[i : i + 5] for i in range(0, len(csv), 5))


def normalise_csv(text: str) -> str | None:
    """Return the CSV typed in ``text`` (any case and separators), or None if it cannot be one."""
    compact = _CSV_CLEAN.sub("", text or "").upper().translate(_CROCKFORD_ALIASES)
    if len(compact) != CSV_LENGTH or any(c not in CSV_ALPHABET for c in compact):
        return None
    return compact


def new_one_time_code() -> str:
    """Return six random digits."""
    return f"{secrets.randbelow(1_000_000):06d}"


def digest(purpose: str, value: str) -> str:
    """Return a keyed digest of ``value`` (codes and DNIs are never stored as typed)."""
    key = f"{settings.SECRET_KEY}:procedures:{purpose}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def same_digest(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
