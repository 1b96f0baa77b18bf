"""`ventanilla add_department NAME --council SLUG`: a department from the terminal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.cases.organisation import OrganisationError, create_department
from ventanilla.core.councils import council_for_command


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Create a department of a council (its name in Spanish, Catalan and English).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help=_("The department's name in Spanish."))
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )
        parser.add_argument("--name-ca", default="")
        parser.add_argument("--name-en", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        council = council_for_command(options["council"])
        try:
            department = create_department(
                council=council,
                name_es=name,
                name_ca=options["name_ca"],
                name_en=options["name_en"],
                email=options["email"],
            )
        except OrganisationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Department %(name)s created (id %(id)s).")
            % {"name": department.name_es, "id": department.pk}
        )
