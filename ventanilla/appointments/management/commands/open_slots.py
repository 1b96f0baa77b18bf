"""`ventanilla open_slots`: open the appointment slots of every office for the coming days."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.appointments import services
from ventanilla.appointments.models import Office
from ventanilla.core.councils import council_for_command


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Open the appointment slots of a council's offices from their opening hours "
            "(holidays skipped, existing slots kept)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )
        parser.add_argument("--days", type=int, default=28, help=_("Days ahead, from today."))

    def handle(self, *args: object, **options: object) -> None:
        council = council_for_command(str(options["council"]))
        days = int(str(options["days"]))
        made = 0
        for office in Office.objects.filter(council=council, active=True):
            made += services.open_slots(office=office, start=timezone.localdate(), days=days)
        self.stdout.write(_("%(count)d slots opened.") % {"count": made})
