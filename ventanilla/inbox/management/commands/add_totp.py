"""`ventanilla add_totp <username>`: give a staff member a TOTP second factor to enrol."""

from __future__ import annotations

import base64
import io
from typing import Any

import segno
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


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

    @transaction.atomic
    def handle(self, *args: Any, username: str, name: str, replace: bool, **opts: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        existing = TOTPDevice.objects.filter(user=user)
        if existing.exists() and not replace:
            raise CommandError(
                f"{username} already has a TOTP device. Use --replace to give a new one "
                "(the old codes stop working)."
            )
        existing.delete()
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        self.stdout.write(f"TOTP device created for {username}.")
        self.stdout.write(f"Secret (base32): {secret}")
        self.stdout.write(f"URI: {device.config_url}")
        if not opts["no_qr"]:
            self.stdout.write("Scan this with the authenticator app:")
            drawing = io.StringIO()
            segno.make(device.config_url, error="m").terminal(out=drawing, compact=True)
            self.stdout.write(drawing.getvalue())
        self.stdout.write(
            self.style.WARNING("Give the secret only to its owner, in person or by a safe channel.")
        )
