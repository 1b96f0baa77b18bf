from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ventanilla.cases.models import Case
from ventanilla.core.councils import council_for_command
from ventanilla.portal.services import publish_case


class Command(BaseCommand):
    help = (
        "Publish the public cases of a council that have no public record yet "
        "(cases opened before the portal was installed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("council", help="The council's slug.")

    def handle(self, *args: Any, council: str, **opts: Any) -> None:
        found = council_for_command(council)
        cases = Case.objects.of(found).filter(
            is_public=True, category__public_by_default=True, public_record__isnull=True
        )
        count = 0
        for case in cases.iterator():
            publish_case(case=case)
            count += 1
        self.stdout.write(f"Published {count} case(s) of {found.slug}.")
