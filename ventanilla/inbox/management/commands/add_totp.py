"""`ventanilla add_totp <username>`: give a staff member a TOTP second factor to enrol."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ventanilla.core.totp import DeviceExists, enrol_totp_device, enrolment_text


class Command(BaseCommand):
    help = (
        "Create a TOTP device for a staff member and print its otpauth:// URI, its secret "
        "and a QR code to scan with an authenticator app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="A name for the device.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's existing TOTP devices first (a lost phone).",
        )
        parser.add_argument("--no-qr", action="store_true", help="Do not print the QR code.")

    def handle(self, *args: Any, username: str, name: str, replace: bool, **opts: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        try:
            device = enrol_totp_device(user=user, name=name, replace=replace)
        except DeviceExists:
            raise CommandError(
                f"{username} already has a TOTP device. Use --replace to give a new one "
                "(the old codes stop working)."
            ) from None
        self.stdout.write(f"TOTP device created for {username}.")
        self.stdout.write(enrolment_text(device, qr=not opts["no_qr"]))
        self.stdout.write(
            self.style.WARNING("Give the secret only to its owner, in person or by a safe channel.")
        )
