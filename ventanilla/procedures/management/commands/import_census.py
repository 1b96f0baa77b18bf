"""`ventanilla import_census FILE.csv`: load (or refresh) a council's census register."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.councils import council_for_command
from ventanilla.procedures.census import COLUMNS, REQUIRED
from ventanilla.procedures.services import CensusImportError, import_census

#: bad rows listed in full; the rest are counted
SHOWN_BAD_ROWS = 50


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Import a council's census register from a CSV file with the header "
            "dni,given_name,surname1,surname2,birth_date,address,district,phone,email,"
            "household,registered_since. People missing from the file are no longer "
            "certifiable. A file with any bad row imports nothing and lists the bad rows."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help=_("Rename a column of the file (e.g. --map nif=dni); repeat for several."),
        )
        parser.add_argument("--delimiter", default="", help=_("Guessed when not given."))
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        council = council_for_command(options["council"])
        renames = _renames(options["map"])
        try:
            handle = file.open(newline="", encoding=options["encoding"])
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None
        with handle:
            sample = handle.read(4096)
            handle.seek(0)
            delimiter = options["delimiter"] or _guess_delimiter(sample)
            reader = csv.DictReader(handle, delimiter=delimiter)
            header = [renames.get(name.strip(), name.strip()) for name in reader.fieldnames or []]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise CommandError(
                    _("The file has no column %(columns)s (use --map old=new to rename).")
                    % {"columns": ", ".join(missing)}
                )
            unknown = [c for c in header if c not in COLUMNS]
            if unknown:
                self.stderr.write(_("Ignored columns: %(c)s") % {"c": ", ".join(unknown)})
            reader.fieldnames = header
            try:
                report = import_census(
                    council=council, rows=_numbered(reader), by=None, progress=self._progress
                )
            except CensusImportError as error:
                self._clear_progress()
                for bad in error.report.bad[:SHOWN_BAD_ROWS]:
                    self.stderr.write(_("line %(line)d: %(problem)s") % vars(bad))
                hidden = len(error.report.bad) - SHOWN_BAD_ROWS
                if hidden > 0:
                    self.stderr.write(_("… and %(n)d more bad rows.") % {"n": hidden})
                raise CommandError(
                    _("Nothing was imported: %(error)s.") % {"error": str(error)}
                ) from None
            except UnicodeDecodeError:
                raise CommandError(
                    _("The file is not in %(e)s.") % {"e": options["encoding"]}
                ) from None
        self._clear_progress()
        self.stdout.write(
            _(
                "Census of %(council)s: %(created)d new, %(updated)d changed, "
                "%(unchanged)d unchanged, %(left)d no longer in the register."
            )
            % {"council": council.name, **vars(report)}
        )

    def _progress(self, rows: int) -> None:
        if sys.stderr.isatty() or self.stderr.isatty():
            self.stderr.write(_("\r%(rows)d rows…") % {"rows": rows}, ending="")
            self.stderr.flush()

    def _clear_progress(self) -> None:
        if self.stderr.isatty():
            self.stderr.write("\r", ending="")


def _renames(pairs: list[str]) -> dict[str, str]:
    renames = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or new.strip() not in COLUMNS:
            raise CommandError(
                _("--map takes OLD=NEW with NEW one of: %(columns)s")
                % {"columns": ", ".join(COLUMNS)}
            )
        renames[old.strip()] = new.strip()
    return renames


def _guess_delimiter(sample: str) -> str:
    first = sample.splitlines()[0] if sample else ""
    return max((",", ";", "\t"), key=first.count)


def _numbered(reader: csv.DictReader[str]) -> Iterator[tuple[int, Mapping[str, str | None]]]:
    for row in reader:
        yield reader.line_num, row
