"""`ventanilla poll_social [--every SECONDS]`: fetch the mentions of the public accounts."""

from __future__ import annotations

import time
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from ventanilla.channels.adapters.base import SendError
from ventanilla.conversations.polling import poll_channel, polled_channels


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _("Fetch new mentions and direct messages of the Mastodon and Bluesky channels.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            help=_("Keep polling, this many seconds apart (default: once)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                for channel in polled_channels():
                    try:
                        received = poll_channel(channel=channel, client=client)
                    except SendError as error:
                        self.stderr.write(f"{channel}: {error.reason}")
                        continue
                    if received.stored or options["every"] <= 0:
                        self.stdout.write(
                            _("%(channel)s: %(count)s new")
                            % {"channel": channel, "count": len(received.stored)}
                        )
                if options["every"] <= 0:
                    return
                time.sleep(options["every"])
