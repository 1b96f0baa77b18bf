"""`ventanilla import_subscribers FILE.csv --topic SLUG --channel ID`: move an SMS list over."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from ventanilla.broadcasts.models import Topic
from ventanilla.broadcasts.services import BroadcastError, import_subscribers
from ventanilla.channels.models import Channel

#: bad lines listed in full; the rest are counted
SHOWN = 50
BAR = 30


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Subscribe the phone numbers of a CSV file (columns: phone, language optional) "
            "to a topic on one SMS or WhatsApp channel. Unreadable and repeated numbers are "
            "reported; an error imports nothing. Each new subscriber gets a welcome saying "
            "how to leave, at the channel's rate."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--topic", required=True, help=_("The topic's short name."))
        parser.add_argument("--channel", required=True, type=int, help=_("The channel's id."))
        parser.add_argument(
            "--template", default="", help=_("WhatsApp template of the welcome message.")
        )
        parser.add_argument("--encoding", default="utf-8-sig")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        channel = Channel.objects.select_related("council").filter(pk=options["channel"]).first()
        if channel is None:
            raise CommandError(_("No channel has that id."))
        topic = Topic.objects.filter(council=channel.council, slug=options["topic"]).first()
        if topic is None:
            raise CommandError(_("The channel's council has no topic with that short name."))
        try:
            with file.open(newline="", encoding=options["encoding"]) as handle:
                self.total = max(0, sum(1 for _line in handle) - 1)
                handle.seek(0)
                reader = csv.DictReader(handle)
                fields = [name.strip().lower() for name in reader.fieldnames or []]
                if "phone" not in fields:
                    raise CommandError(_("The file has no column named phone."))
                reader.fieldnames = fields
                report = import_subscribers(
                    topic=topic,
                    channel=channel,
                    rows=_rows(reader),
                    template_name=options["template"],
                    progress=self._progress,
                )
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(
                _("The file is not in %(e)s.") % {"e": options["encoding"]}
            ) from None
        except BroadcastError as exc:
            raise CommandError(_("Nothing was imported: %(e)s") % {"e": exc}) from None
        self.stderr.write("")
        for line, phone, reason in report.invalid[:SHOWN]:
            self.stderr.write(
                _("line %(line)d: %(phone)s: %(reason)s")
                % {"line": line, "phone": phone, "reason": reason}
            )
        for line, phone in report.duplicates[:SHOWN]:
            self.stderr.write(
                _("line %(line)d: %(phone)s: repeated") % {"line": line, "phone": phone}
            )
        self.stdout.write(
            _(
                "%(imported)d subscribed, %(already)d already were, %(invalid)d invalid, "
                "%(duplicates)d repeated; %(welcomed)d welcome messages queued, "
                "%(not_welcomed)d not sent (WhatsApp without a template)."
            )
            % {
                "imported": report.imported,
                "already": report.already,
                "invalid": len(report.invalid),
                "duplicates": len(report.duplicates),
                "welcomed": report.welcomed,
                "not_welcomed": report.not_welcomed,
            }
        )

    def _progress(self, rows: int) -> None:
        total = self.total or 1
        done = min(rows, total)
        filled = BAR * done // total
        bar = "#" * filled + "-" * (BAR - filled)
        ending = "" if sys.stderr.isatty() else "\n"
        self.stderr.write(f"\r[{bar}] {done}/{total}", ending=ending)
        self.stderr.flush()


def _rows(reader: csv.DictReader[str]) -> Iterator[tuple[int, str, str]]:
    for row in reader:
        yield reader.line_num, str(row.get("phone") or ""), str(row.get("language") or "")
