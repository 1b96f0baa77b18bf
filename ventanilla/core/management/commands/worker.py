from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string
from django_tasks import task_backends
from django_tasks_rq import RQBackend

from ventanilla.core import rq_worker
from ventanilla.core.worker import ResilientWorker


class Command(BaseCommand):
    help = (
        "Run the background task worker (all queues, periodic jobs, stored webhooks). "
        "Start as many as you need."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queues, or * (all).")
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument(
            "--reclaim-after",
            type=float,
            default=None,
            help="Seconds after which a RUNNING task is taken to be a dead worker's and queued "
            "again (default: TASKS_RECLAIM_AFTER; the rq backend always uses that).",
        )
        parser.add_argument("--batch", action="store_true", help="Run what is due, then exit.")

    def handle(
        self,
        *args: Any,
        queues: str,
        interval: float,
        reclaim_after: float | None,
        batch: bool,
        **options: Any,
    ) -> None:
        names = None if queues == "*" else queues.split(",")
        if isinstance(task_backends["default"], RQBackend):
            # Redis (TASKS_BACKEND=rq): rq reclaims a dead worker's jobs after their timeout
            rq_worker.run(queues=names, interval=interval, batch=batch)
            return
        worker = ResilientWorker(
            queue_names=queues.split(","),
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
            reclaim_after=settings.TASKS_RECLAIM_AFTER if reclaim_after is None else reclaim_after,
        )
        worker.configure_signals()
        worker.run()
