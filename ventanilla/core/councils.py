"""Which council a request is about."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from ventanilla.core.models import Council


def council_for_host(host: str) -> Council | None:
    """Return the council serving ``host``: by its domain, else the configured or only one."""
    council = Council.objects.filter(domain__iexact=host.split(":")[0]).first() if host else None
    if council is None and settings.VENTANILLA_DEFAULT_COUNCIL:
        council = Council.objects.filter(slug=settings.VENTANILLA_DEFAULT_COUNCIL).first()
    if council is None:
        council = Council.objects.order_by("pk").first()
    return council


def council_for_request(request: HttpRequest) -> Council | None:
    """Return the staff member's council, or the council of the host for the public."""
    cached = getattr(request, "_council", None)
    if cached is not None:
        return cached
    staff = (
        getattr(getattr(request, "user", None), "staff", None)
        if request.user.is_authenticated
        else None
    )
    council = staff.council if staff is not None else council_for_host(request.get_host())
    request._council = council  # type: ignore[attr-defined]
    return council
