"""What the rights commands share: the council and the staff member named on the command line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.models import Council


def add_common_arguments(parser: CommandParser) -> None:
    parser.add_argument("urn", help=_("The resident's address, e.g. whatsapp:34600111222."))
    parser.add_argument(
        "--council", default="", help=_("The council's slug (needed when there are several).")
    )
    parser.add_argument(
        "--by", required=True, help=_("Your user name (a supervisor or administrator).")
    )


def council_of(options: dict[str, Any]) -> Council:
    councils = Council.objects.all()
    if options["council"]:
        councils = councils.filter(slug=options["council"])
    found = list(councils[:2])
    if len(found) != 1:
        raise CommandError(_("Name one council with --council SLUG."))
    return found[0]


def user_of(options: dict[str, Any]) -> Any:
    user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
    if user is None:
        raise CommandError(_("No active user is called %(name)s.") % {"name": options["by"]})
    return user
