"""The portal's rate limits per client address, shared by every web process (``core.throttle``)."""

from __future__ import annotations

from django.http import HttpRequest

from ventanilla.core import throttle
from ventanilla.core.client_address import client_address


def allow(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one action of ``scope`` from the request's address; False once over ``limit``."""
    return throttle.hit(
        scope=scope, client=client_address(request), limit=limit, window_seconds=window_seconds
    )
