from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ventanilla.core.councils import council_for_command
from ventanilla.open311.services import issue_open311_key, revoke_open311_keys


class Command(BaseCommand):
    help = (
        "Print a new Open311 API key for a council (only its hash is stored), or revoke its keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("council", help="The council's slug.")
        parser.add_argument("--name", default="", help="Who the key is for.")
        parser.add_argument(
            "--revoke",
            metavar="PREFIX",
            nargs="?",
            const="*",
            help="Revoke the key starting with PREFIX, or every key of the council.",
        )

    def handle(self, *args: Any, council: str, name: str, revoke: str | None, **opts: Any) -> None:
        found = council_for_command(council)
        if revoke:
            count = revoke_open311_keys(council=found, prefix="" if revoke == "*" else revoke)
            self.stdout.write(f"Revoked {count} key(s) of {found.slug}.")
            return
        self.stdout.write(issue_open311_key(council=found, name=name))
