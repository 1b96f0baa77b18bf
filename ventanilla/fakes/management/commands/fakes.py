"""`ventanilla fakes`: the fake providers and the citizen simulator, until Ctrl-C."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from ventanilla.channels.models import Channel, Provider
from ventanilla.fakes.channels import fake_channels
from ventanilla.fakes.mail import start_sink
from ventanilla.fakes.server import default_hub, start
from ventanilla.fakes.simulator import MailSide, Simulator, register_channels


class Command(BaseCommand):
    @property
    def help(self) -> str:  # type: ignore[override]
        return _(
            "Run local fakes of WhatsApp, Telegram, LINE and Twilio, with the citizen "
            "simulator at /, for the channels whose API base points at them."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8025)
        parser.add_argument(
            "--web",
            default="",
            help=_("Where Ventanilla receives webhooks (default: PUBLIC_URL)."),
        )
        parser.add_argument(
            "--smtp-port",
            type=int,
            default=0,
            help=_("Also run a mail server on this port that records what Ventanilla sends."),
        )
        parser.add_argument(
            "--mail-gateway",
            default="127.0.0.1:2525",
            help=_("Where the simulator's residents send e-mail (ventanilla mail_gateway)."),
        )

    def handle(self, *args: Any, host: str, port: int, web: str, **options: Any) -> None:
        web_url = (web or settings.PUBLIC_URL).rstrip("/")
        hub = default_hub()
        mail, sink_server = None, None
        mailbox = Channel.objects.active().filter(provider=Provider.EMAIL).order_by("pk").first()
        if options["smtp_port"]:
            sink_server, sink = start_sink(host=host, port=options["smtp_port"])
            self.stdout.write(
                _("Fake mail server at %(host)s:%(port)s")
                % {"host": host, "port": options["smtp_port"]}
            )
            if mailbox is not None:
                gateway_host, _sep, gateway_port = options["mail_gateway"].rpartition(":")
                mail = MailSide(sink, gateway_host, int(gateway_port), mailbox.options["address"])
        Simulator(hub, mail=mail).install()
        server, hub = start(host, port, hub)
        fakes_url = f"http://{host}:{server.server_port}"
        channels = fake_channels(fakes_url=fakes_url)
        register_channels(hub, channels=channels, web_url=web_url)
        self.stdout.write(self.style.SUCCESS(_("Fake providers at %(url)s") % {"url": fakes_url}))
        for channel in channels:
            self.stdout.write(
                f"  {channel.get_provider_display():14} {fakes_url}/{channel.provider}  "
                f"→ {web_url}{channel.webhook_path}"
            )
        if not channels:
            self.stdout.write(
                _("No channel points at %(url)s yet: create one with add_channel --api-base.")
                % {"url": fakes_url}
            )
        self.stdout.write(_("Citizen simulator: %(url)s/") % {"url": fakes_url})
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.shutdown()
            server.server_close()
            if sink_server is not None:
                sink_server.stop()
