"""A fixed-window rate limit per client address, kept in Django's cache.

The cache must be shared by every web process for the limit to hold across them (the
default local-memory cache counts per process).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from ventanilla.core.client_address import client_address


def allow(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one action of ``scope`` from the request's address; False once over ``limit``."""
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{client_address(request) or 'unknown'}".encode()
    ).hexdigest()[:32]
    key = f"ventanilla:throttle:{scope}:{digest}"
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
