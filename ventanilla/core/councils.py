"""Which council a request or a command is about, and how a council is created."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ventanilla.core.models import Council

#: what to run when an installation has no council yet
ADD_COUNCIL_HINT = "ventanilla add_council --name NAME --slug SLUG --domain DOMAIN"


class CouncilError(ValueError):
    """A council that cannot be created as asked; the message says why."""


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


def council_for_command(slug: str = "") -> Council:
    """Return the council a management command is about: ``slug``'s, else the only one.

    Raise ``CommandError`` with what to do instead when there is no council yet, when
    ``slug`` names none, or when there are several and ``slug`` is empty.
    """
    slugs = list(Council.objects.order_by("slug").values_list("slug", flat=True)[:20])
    if not slugs:
        raise CommandError(
            _("There is no council yet. Create one first: %(command)s")
            % {"command": ADD_COUNCIL_HINT}
        )
    if slug:
        council = Council.objects.filter(slug=slug).first()
        if council is None:
            raise CommandError(
                _("No council with slug %(slug)r. Councils: %(slugs)s.")
                % {"slug": slug, "slugs": ", ".join(slugs)}
            )
        return council
    if len(slugs) > 1:
        raise CommandError(
            _("There are several councils; say which with --council SLUG (%(slugs)s).")
            % {"slugs": ", ".join(slugs)}
        )
    return Council.objects.get(slug=slugs[0])


@transaction.atomic
def create_council(
    *,
    name: str,
    slug: str,
    domain: str,
    languages: Sequence[str] | None = None,
    time_zone: str | None = None,
) -> Council:
    """Create a council serving ``domain``; raise ``CouncilError`` saying what is wrong.

    ``languages`` default to every language of the installation (``settings.LANGUAGES``),
    ``time_zone`` to ``settings.TIME_ZONE``; the domain is also its Open311 jurisdiction id.
    """
    known = [code for code, _label in settings.LANGUAGES]
    languages = list(languages) if languages else known
    time_zone = time_zone or settings.TIME_ZONE
    domain = domain.strip().lower()
    if not domain:
        raise CouncilError(_("A council needs the domain of its public portal."))
    try:
        validate_slug(slug)
    except ValidationError:
        raise CouncilError(
            _("%(slug)r is not a valid slug (letters, digits, hyphens and underscores).")
            % {"slug": slug}
        ) from None
    unknown = [code for code in languages if code not in known]
    if unknown:
        raise CouncilError(
            _("Unknown language(s) %(unknown)s; choose among %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(known)}
        )
    if time_zone not in zoneinfo.available_timezones():
        raise CouncilError(
            _("Unknown time zone %(zone)r (use a name such as Europe/Madrid).")
            % {"zone": time_zone}
        )
    if Council.objects.filter(slug=slug).exists():
        raise CouncilError(_("There is already a council with slug %(slug)r.") % {"slug": slug})
    if Council.objects.filter(Q(jurisdiction_id=domain) | Q(domain__iexact=domain)).exists():
        raise CouncilError(_("There is already a council serving %(domain)s.") % {"domain": domain})
    return Council.objects.create(
        name=name,
        slug=slug,
        domain=domain,
        jurisdiction_id=domain,
        languages=",".join(languages),
        time_zone=time_zone,
    )
