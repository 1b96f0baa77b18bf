"""`ventanilla demo`: a whole council on this laptop, with one command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import httpx
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from ventanilla.channels.models import Channel
from ventanilla.core.models import Council
from ventanilla.demo.channels import (
    configure_demo_channels,
    configure_demo_mailbox,
    ensure_web_chat,
)
from ventanilla.demo.data import load_demo


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = (
        "Migrate the database, load a demo council, and run the web server, the worker, the "
        "fake providers and the citizen simulator until Ctrl-C."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--fakes-port", type=int, default=8025)
        parser.add_argument("--mail-port", type=int, default=2525, help="The mail gateway.")
        parser.add_argument(
            "--smtp-sink-port", type=int, default=1025, help="The fake mail server replies go to."
        )
        parser.add_argument("--no-serve", action="store_true", help="Only load the data.")

    def handle(
        self,
        *args: Any,
        port: int,
        fakes_port: int,
        no_serve: bool,
        mail_port: int,
        smtp_sink_port: int,
        **opts: Any,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        council, accounts = load_demo()
        fakes_url = f"http://127.0.0.1:{fakes_port}"
        web_url = f"http://127.0.0.1:{port}"
        channels = self.configure_channels(council, fakes_url, web_url)
        mailbox = configure_demo_mailbox(council=council)
        self.stdout.write(self.style.SUCCESS(f"Demo council: {council.name}"))
        self.stdout.write("Staff accounts (user / password / role):")
        for account in accounts:
            self.stdout.write(f"  {account.username:16} {account.password:20} {account.role.label}")
        if no_serve:
            return
        env = {
            **os.environ,
            "VENTANILLA_DEMO": "1",
            # The fake providers are installed only where they are wanted: here, and in tests.
            "VENTANILLA_FAKES": "1",
            "VENTANILLA_OTP_REQUIRED": os.environ.get("VENTANILLA_OTP_REQUIRED", "0"),
            "PUBLIC_URL": web_url,
            "VENTANILLA_FAKES_URL": fakes_url,
            # Never DEBUG: its pages show settings and it would serve files without a login.
            "DEBUG": "0",
            # Replies by e-mail go to the fakes' mail server, which records them.
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_sink_port),
        }
        cli = [sys.executable, "-m", "ventanilla"]
        processes = [
            subprocess.Popen(
                [
                    *cli,
                    "fakes",
                    "--port",
                    str(fakes_port),
                    "--web",
                    web_url,
                    "--smtp-port",
                    str(smtp_sink_port),
                    "--mail-gateway",
                    f"127.0.0.1:{mail_port}",
                ],
                env=env,
            )
            if channels
            else None,
            subprocess.Popen([*cli, "mail_gateway", "--port", str(mail_port)], env=env),
            subprocess.Popen(
                [*cli, "serve", "--port", str(port), "--workers", "2", "--no-collectstatic"],
                env=env,
            ),
            subprocess.Popen([*cli, "worker"], env=env),
            # Mastodon and Bluesky call nobody: their mentions are fetched every few seconds
            subprocess.Popen([*cli, "poll_social", "--every", "3"], env=env) if channels else None,
        ]
        running = [p for p in processes if p is not None]
        # Stop cleanly on SIGTERM too (a service manager, `timeout`, a closed terminal).
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            self.wait_until_up(f"{web_url}/healthz")
            self.stdout.write(self.style.SUCCESS(f"Staff inbox:        {web_url}/inbox/"))
            self.stdout.write(f"Public portal:      {web_url}/")
            self.stdout.write(f"Admin:              {web_url}/admin/")
            if channels:
                self.stdout.write(f"Citizen simulator:  {fakes_url}/")
            self.stdout.write(
                f"E-mail:             {mailbox.options['address']} "
                f"(SMTP 127.0.0.1:{mail_port}; replies recorded at 127.0.0.1:{smtp_sink_port})"
            )
            self.stdout.write("Press Ctrl-C to stop.")
            while all(p.poll() is None for p in running):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            for process in running:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in running:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Stopped.")

    def configure_channels(self, council: Council, fakes_url: str, web_url: str) -> list[Channel]:
        """Point one channel of each provider at the local fakes; open the web chat."""
        ensure_web_chat(council=council)
        return configure_demo_channels(council=council, fakes_url=fakes_url, web_url=web_url)

    def wait_until_up(self, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stderr.write(f"The web server did not answer at {url} within {timeout:.0f} s.")
