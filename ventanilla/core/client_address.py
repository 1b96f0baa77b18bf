"""The address a request really comes from, behind a configured number of trusted proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """Return the client's IP address, as the nearest trusted proxy saw it.

    Each proxy appends the address it received the request from to ``X-Forwarded-For``, so
    with ``TRUSTED_PROXIES = n`` the client is the n-th address from the right (the socket
    address being the last proxy). Entries left of that one were written by the client and
    are never believed. With 0, or with fewer entries than proxies, the answer is the socket
    address, so a missing or forged header changes nothing.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy that writes something else: keep the socket address
        return remote
