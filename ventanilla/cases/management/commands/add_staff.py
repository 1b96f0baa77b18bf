"""`ventanilla add_staff USER --council SLUG --role ROLE`: a staff member from the terminal."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.cases.models import Role
from ventanilla.cases.staff import StaffError, create_staff, find_department
from ventanilla.core.councils import council_for_command
from ventanilla.core.totp import enrol_totp_device, enrolment_text


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Create a staff member of a council with a role, print a password shown only "
            "once and the TOTP enrolment (URI and QR code)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--council", default="", help=_("Council slug; optional when there is only one.")
        )
        parser.add_argument("--role", required=True, choices=[role.value for role in Role])
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            dest="departments",
            help=_("A department's id or name; repeat for several (agents need one)."),
        )
        parser.add_argument("--email", default="")
        parser.add_argument("--no-qr", action="store_true", help=_("Do not print the QR code."))

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        council = council_for_command(options["council"])
        password = secrets.token_urlsafe(12)
        try:
            with transaction.atomic():
                departments = [
                    find_department(council=council, name=name) for name in options["departments"]
                ]
                staff = create_staff(
                    council=council,
                    username=username,
                    password=password,
                    role=Role(options["role"]),
                    departments=departments,
                    email=options["email"],
                )
                device = enrol_totp_device(user=staff.user)
        except StaffError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(user)s is now %(role)s of %(council)s.")
            % {"user": username, "role": Role(options["role"]).label, "council": council.name}
        )
        if departments:
            self.stdout.write(
                _("Departments: %(names)s") % {"names": ", ".join(d.name for d in departments)}
            )
        self.stdout.write(
            _("Password (shown only this once): %(password)s") % {"password": password}
        )
        self.stdout.write(enrolment_text(device, qr=not options["no_qr"]))
        self.stdout.write(
            self.style.WARNING(
                _(
                    "Give the password and the secret only to their owner, in person or by a "
                    "safe channel."
                )
            )
        )
