"""The portal's rate limits per client address, shared by every web process (``core.throttle``)."""

from __future__ import annotations

from django.http import HttpRequest

from ventanilla.core import throttle


def client_address(request: HttpRequest) -> str:
    """Return the address the request came from (as the web server saw it)."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """Count one action of ``scope`` from the request's address; False once over ``limit``."""
    return throttle.hit(
        scope=scope, client=client_address(request), limit=limit, window_seconds=window_seconds
    )
