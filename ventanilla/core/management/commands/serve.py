import os
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Run the production web server (granian, several worker processes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 8000)))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", 0)),
            help="request threads per worker process (0: granian's default, 256 here)",
        )
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        if not settings.OTP_REQUIRED and not settings.VENTANILLA_DEMO:
            raise CommandError(
                "VENTANILLA_OTP_REQUIRED is off: staff two-factor login may only be waived "
                "in the demo. Turn it on to serve in production."
            )
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            host,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-ws",
        ]
        if options["threads"] > 0:
            argv += ["--blocking-threads", str(options["threads"])]
        argv.append("ventanilla.wsgi:application")
        # glibc gives each thread that allocates its own arena (up to 8 per core): granian's
        # request threads would each keep one, and the worker's memory grows with them.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        os.execv(sys.executable, argv)
