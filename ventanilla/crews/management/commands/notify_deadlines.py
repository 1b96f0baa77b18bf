from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ventanilla.crews.notifications import notify_deadlines


class Command(BaseCommand):
    help = _(
        "Tell staff of open cases at risk or overdue, on the channel each chose (once per "
        "case and deadline). The workers also run it every 15 minutes."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        told = notify_deadlines()
        self.stdout.write(_("%(count)s cases notified.") % {"count": told})
