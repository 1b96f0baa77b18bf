"""Which council a request is about."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
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


def council_id_of(user: Any) -> int | None:
    """Return the id of the council a staff member works for; None for anyone else.

    Reads the ``staff`` relation that the staff model (``cases.Staff``) adds to the user, so
    that code at the bottom of the house can scope by council without importing ``cases``.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return int(user.staff.council_id)
    except (AttributeError, ObjectDoesNotExist):  # no staff row, or no such relation
        return None
