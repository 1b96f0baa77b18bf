"""`ventanilla add_category CODE --department D --name NAME`: a category from the terminal."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.cases.organisation import OrganisationError, create_category
from ventanilla.cases.staff import StaffError, find_department
from ventanilla.core.councils import council_for_command


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Create a category residents report under, handled by one department, with its "
            "deadlines."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help=_("Short code, also the Open311 service code."))
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )
        parser.add_argument(
            "--department", required=True, help=_("The handling department's id or name.")
        )
        parser.add_argument("--name", required=True, help=_("The category's name in Spanish."))
        parser.add_argument("--name-ca", default="")
        parser.add_argument("--name-en", default="")
        parser.add_argument("--resolution-days", type=int, default=10)
        parser.add_argument("--first-response-hours", type=int, default=8)
        parser.add_argument(
            "--private", action="store_true", help=_("Cases are not public by default.")
        )
        parser.add_argument(
            "--keyword",
            action="append",
            default=[],
            dest="keywords",
            help=_("A word that suggests this category; repeat for several."),
        )

    def handle(self, *args: Any, code: str, **options: Any) -> None:
        council = council_for_command(options["council"])
        try:
            category = create_category(
                council=council,
                department=find_department(council=council, name=options["department"]),
                code=code,
                name_es=options["name"],
                name_ca=options["name_ca"],
                name_en=options["name_en"],
                resolution_days=options["resolution_days"],
                first_response_hours=options["first_response_hours"],
                public_by_default=not options["private"],
                keywords=options["keywords"],
            )
        except (OrganisationError, StaffError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("Category %(name)s (%(code)s) created for %(department)s.")
            % {"name": category.name_es, "code": category.code, "department": category.department}
        )
