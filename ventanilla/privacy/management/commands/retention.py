"""`ventanilla retention [--dry-run] [--council SLUG]`: anonymise what is kept past its period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.models import Council
from ventanilla.privacy.retention import apply_retention


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Anonymise personal data kept longer than each council's retention periods. "
            "Run it daily (or let the worker run the retention task)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Say what would change; change nothing.")
        )
        parser.add_argument("--council", default="", help=_("Only this council (its slug)."))

    def handle(self, *args: Any, **options: Any) -> None:
        councils = Council.objects.all()
        if options["council"]:
            councils = councils.filter(slug=options["council"])
            if not councils.exists():
                raise CommandError(
                    _("No council has the slug %(slug)s.") % {"slug": options["council"]}
                )
        dry_run = options["dry_run"]
        for council in councils:
            self.stdout.write(
                (_("%(council)s (dry run: nothing changes)") if dry_run else "%(council)s")
                % {"council": council.name}
            )
            for outcome in apply_retention(council=council, dry_run=dry_run):
                cutoff = outcome.cutoffs.default.date().isoformat()
                line = (
                    _("  %(data)s: %(count)d would be anonymised (older than %(cutoff)s)")
                    if dry_run
                    else _("  %(data)s: %(count)d anonymised (older than %(cutoff)s)")
                )
                extra = "".join(
                    f"; {code} {moment.date().isoformat()}"
                    for code, moment in sorted(outcome.cutoffs.by_category.items())
                )
                self.stdout.write(
                    line % {"data": outcome.label, "count": outcome.count, "cutoff": cutoff + extra}
                )
