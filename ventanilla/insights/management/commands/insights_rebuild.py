"""``ventanilla insights_rebuild [--council SLUG] [--from-cases]``: recompute the statistics."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.core.models import Council
from ventanilla.insights import rollup, tallies


class Command(BaseCommand):
    help = (
        "Recompute the dashboard's summary tallies from each case's statistics row (after an "
        "upgrade, or a bulk change behind the services' back); with --from-cases, recompute "
        "those rows from the cases first (after a council's holidays or office hours change)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--council", help="the council's slug (default: every council)")
        parser.add_argument(
            "--from-cases",
            action="store_true",
            help="recompute each case's row (working times) from the cases too; slower",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        councils = Council.objects.order_by("slug")
        if options["council"]:
            councils = councils.filter(slug=options["council"])
            if not councils.exists():
                raise CommandError(f"There is no council with the slug {options['council']!r}.")
        for council in councils:
            started = time.perf_counter()
            if options["from_cases"]:
                cases = rollup.rebuild(council=council)
            else:
                cases = tallies.round_times(council=council)
                tallies.rebuild(council=council)
            self.stdout.write(
                f"{council.slug}: {cases} cases in {time.perf_counter() - started:.1f} s."
            )
