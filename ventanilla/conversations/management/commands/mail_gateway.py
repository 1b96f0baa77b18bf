"""`ventanilla mail_gateway --host 127.0.0.1 --port 2525`: receive the e-mail channels' mail."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from ventanilla.channels.models import Channel, Provider
from ventanilla.conversations.mail_gateway import start_gateway


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Receive mail for the e-mail channels' addresses by SMTP, behind the council's "
            "mail server, until stopped."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on."))
        parser.add_argument("--port", type=int, default=2525, help=_("Port to listen on."))
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=None,
            help=_("Refuse bigger messages (default MAIL_MAX_BYTES)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        limit = options["max_bytes"] or settings.MAIL_MAX_BYTES
        controller = start_gateway(host=options["host"], port=options["port"], max_bytes=limit)
        addresses = sorted(
            str(options_.get("address") or "")
            for options_ in Channel.objects.filter(
                provider=Provider.EMAIL, active=True
            ).values_list("options", flat=True)
        )
        self.stdout.write(
            _("Mail gateway listening on %(host)s:%(port)s for: %(addresses)s")
            % {
                "host": options["host"],
                "port": options["port"],
                "addresses": ", ".join(addresses) or _("no e-mail channel yet"),
            }
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
