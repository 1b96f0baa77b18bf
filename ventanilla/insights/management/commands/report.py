"""``ventanilla report --council SLUG --period 2026-11 --out FILE.pdf``: the PDF report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from ventanilla.core.models import Council
from ventanilla.insights import report
from ventanilla.insights.statistics import charter, statistics


class Command(BaseCommand):
    help = "Write a council's monthly (2026-11) or annual (2026) service report as a PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", required=True, help="the council's slug")
        parser.add_argument("--period", required=True, help="a month (2026-11) or a year (2026)")
        parser.add_argument("--out", required=True, type=Path, help="the PDF file to write")
        parser.add_argument("--language", default="es", help="es, ca or en (default es)")

    def handle(self, *args: Any, **options: Any) -> None:
        council = Council.objects.filter(slug=options["council"]).first()
        if council is None:
            raise CommandError(f"There is no council with the slug {options['council']!r}.")
        try:
            start, end = report.period_of(options["period"])
        except ValueError as error:
            raise CommandError(str(error)) from error
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        with translation.override(options["language"]):
            stats = statistics(council, start=start, end=end)
            pdf = report.pdf(stats, charter(council, start=start, end=end))
        out.write_bytes(pdf)
        self.stdout.write(f"{out}: {stats.total.received} cases received, {len(pdf)} bytes.")
