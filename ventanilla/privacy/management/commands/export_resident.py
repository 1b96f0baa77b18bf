"""`ventanilla export_resident URN --by USER`: everything held about a resident, JSON and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.privacy import documents
from ventanilla.privacy.management.commands._rights import (
    add_common_arguments,
    council_of,
    user_of,
)
from ventanilla.privacy.models import RightsRequest
from ventanilla.privacy.services import RightsError, export_data, receive_request


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Write everything held about a resident to a JSON file and a PDF (audited).")

    def add_arguments(self, parser: CommandParser) -> None:
        add_common_arguments(parser)
        parser.add_argument("--out", default=".", help=_("Folder to write the files to."))

    def handle(self, *args: Any, **options: Any) -> None:
        council, user = council_of(options), user_of(options)
        out = Path(options["out"])
        if not out.is_dir():
            raise CommandError(_("No such folder: %(path)s") % {"path": out})
        try:
            request, _new = receive_request(
                council=council,
                urn=options["urn"],
                kind=RightsRequest.Kind.EXPORT,
                via=RightsRequest.Via.COMMAND,
                by=user,
            )
            data = export_data(request=request, by=user)
        except RightsError as error:
            raise CommandError(str(error)) from None
        stem = out / f"resident-data-{request.pk}"
        stem.with_suffix(".json").write_bytes(documents.as_json(data))
        stem.with_suffix(".pdf").write_bytes(documents.as_pdf(data))
        self.stdout.write(
            _("Request %(id)s: wrote %(json)s and %(pdf)s.")
            % {"id": request.pk, "json": stem.with_suffix(".json"), "pdf": stem.with_suffix(".pdf")}
        )
