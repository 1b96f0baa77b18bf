"""`ventanilla import_streets FILE.csv [--council SLUG]`: load a council's street directory."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.councils import council_for_command
from ventanilla.streets.services import StreetImportError, import_streets


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Replace a council's street directory by a CSV file with the columns street, "
            "numbers (optional, e.g. 1-99), lat, lon and district (optional). A file with "
            "any bad row imports nothing and lists the bad rows."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )

    def handle(self, *args: Any, file: str, **options: Any) -> None:
        council = council_for_command(options["council"])
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                count = import_streets(council=council, lines=handle.readlines())
        except OSError as error:
            raise CommandError(str(error)) from None
        except UnicodeDecodeError:
            raise CommandError(_("The file is not UTF-8 text.")) from None
        except StreetImportError as error:
            for row in error.bad_rows:
                self.stderr.write(str(row))
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(count)d streets imported for %(council)s.")
            % {"count": count, "council": council.name}
        )
