"""`ventanilla add_council --name ... --slug ... --domain ...`: a council from the terminal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.core.councils import CouncilError, create_council


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Create a council and print the commands that set it up.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help=_("The council's name."))
        parser.add_argument("--slug", required=True, help=_("Short name for commands and URLs."))
        parser.add_argument("--domain", required=True, help=_("Host name of its public portal."))
        parser.add_argument(
            "--languages",
            default="",
            help=_("Comma-separated language codes (default: %(codes)s).")
            % {"codes": ",".join(code for code, _label in settings.LANGUAGES)},
        )
        parser.add_argument(
            "--time-zone",
            default="",
            help=_("e.g. Europe/Madrid (default: %(zone)s).") % {"zone": settings.TIME_ZONE},
        )

    def handle(self, *args: Any, **options: Any) -> None:
        languages = [code.strip() for code in options["languages"].split(",") if code.strip()]
        try:
            council = create_council(
                name=options["name"],
                slug=options["slug"],
                domain=options["domain"],
                languages=languages,
                time_zone=options["time_zone"],
            )
        except CouncilError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _(
                "Council %(name)s created (slug %(slug)s, %(domain)s, %(zone)s, "
                "languages %(codes)s)."
            )
            % {
                "name": council.name,
                "slug": council.slug,
                "domain": council.domain,
                "zone": council.time_zone,
                "codes": council.languages,
            }
        )
        self.stdout.write(_("Next:"))
        for line in (
            f"ventanilla add_staff USERNAME --council {council.slug} --role administrator",
            f'ventanilla add_department "NAME" --council {council.slug}',
            f'ventanilla add_category CODE --council {council.slug} --department "NAME" '
            '--name "NAME"',
            f"ventanilla add_channel telegram --council {council.slug} --name NAME "
            "--bot-token TOKEN --secret-token SECRET",
            "ventanilla serve",
            "ventanilla worker",
        ):
            self.stdout.write(f"  {line}")
        self.stdout.write(
            _(
                "Add agents with add_staff once their departments exist; the administrator "
                "edits departments and categories later in the admin (/admin/)."
            )
        )
