from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background task worker (all queues). Start as many as you need."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queues, or * (all).")
        parser.add_argument("--interval", type=float, default=0.5)

    def handle(self, *args: Any, queues: str, interval: float, **options: Any) -> None:
        call_command(
            "db_worker", queue_name=queues, interval=interval, reload=False, startup_delay=False
        )
