"""`ventanilla mail_poll --channel ID --host imap.example.org --user ...`: read a mailbox."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.channels.models import Channel, Provider
from ventanilla.conversations.mail_gateway import Mailbox, poll_mailbox


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Store an e-mail channel's unread mail from an IMAP mailbox (the password comes "
            "from IMAP_PASSWORD); with --every, keep polling."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", type=int, required=True, help=_("E-mail channel id."))
        parser.add_argument("--host", required=True, help=_("IMAP server."))
        parser.add_argument("--port", type=int, default=993)
        parser.add_argument("--user", required=True)
        parser.add_argument("--folder", default="INBOX")
        parser.add_argument("--no-ssl", action="store_true", help=_("Plain IMAP (tests only)."))
        parser.add_argument(
            "--every", type=float, default=0, help=_("Poll again after this many seconds.")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        channel = (
            Channel.objects.select_related("council")
            .filter(pk=options["channel"], provider=Provider.EMAIL, active=True)
            .first()
        )
        if channel is None:
            raise CommandError(_("No active e-mail channel with that id."))
        mailbox = Mailbox(
            host=options["host"],
            port=options["port"],
            user=options["user"],
            password=os.environ.get("IMAP_PASSWORD", ""),
            folder=options["folder"],
            ssl=not options["no_ssl"],
        )
        while True:
            delivered = poll_mailbox(mailbox=mailbox, channel=channel)
            self.stdout.write(
                _("%(stored)s stored, %(duplicates)s already stored, %(events)s not for a case.")
                % {
                    "stored": len(delivered.stored),
                    "duplicates": delivered.duplicates,
                    "events": delivered.events + delivered.statuses,
                }
            )
            if not options["every"]:
                return
            time.sleep(options["every"])
