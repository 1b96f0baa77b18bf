"""`ventanilla erase_resident URN --by USER [--approve]`: erasure with four eyes.

The first person asks for the erasure; another person approves it with ``--approve``, and
the resident is erased then. The same person cannot do both.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.privacy.management.commands._rights import (
    add_common_arguments,
    council_of,
    user_of,
)
from ventanilla.privacy.models import RightsRequest
from ventanilla.privacy.services import (
    RightsError,
    approve_erasure,
    ask_erasure,
    pending_request,
    receive_request,
)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Ask for a resident's erasure, or approve one another person asked for (--approve)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        add_common_arguments(parser)
        parser.add_argument(
            "--approve",
            action="store_true",
            help=_("Approve the erasure another person asked for, and erase."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        council, user = council_of(options), user_of(options)
        try:
            if options["approve"]:
                request = pending_request(
                    council=council, urn=options["urn"], kind=RightsRequest.Kind.ERASURE
                )
                if request is None:
                    raise RightsError(_("No erasure of this resident awaits approval."))
                counts = approve_erasure(request=request, by=user)
                self.stdout.write(
                    _("Request %(id)s: erased (%(counts)s).")
                    % {
                        "id": request.pk,
                        "counts": ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                    }
                )
                return
            request, _new = receive_request(
                council=council,
                urn=options["urn"],
                kind=RightsRequest.Kind.ERASURE,
                via=RightsRequest.Via.COMMAND,
                by=user,
            )
            if request.status == RightsRequest.Status.RECEIVED:
                ask_erasure(request=request, by=user)
        except RightsError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Request %(id)s awaits approval by another person: "
                "ventanilla erase_resident %(urn)s --by OTHER --approve"
            )
            % {"id": request.pk, "urn": options["urn"]}
        )
