"""`ventanilla cost_report [--council SLUG] [--from DATE] [--to DATE]`: the cost CSV."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.broadcasts.costs import cost_report, csv_rows
from ventanilla.core.models import Council


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Print what messages cost per council, channel and month against SMS, as CSV: "
            "every council (the installation operator's view) or the one given."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", default="", help=_("The council's short name."))
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, default=None)
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        council = None
        if options["council"]:
            council = Council.objects.filter(slug=options["council"]).first()
            if council is None:
                raise CommandError(_("No council has that short name."))
        end = options["end"] or timezone.localdate()
        start = options["start"] or end.replace(month=1, day=1)
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerows(csv_rows(cost_report(council, start, end), with_council=True))
