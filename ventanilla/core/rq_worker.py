"""``ventanilla worker`` with the Redis backend (``TASKS_BACKEND=rq``): rq's worker, plus the
periodic jobs and the drains, in one process.

- **Tasks** are taken by rq's in-process worker (``SimpleWorker``: no fork per task, so the
  database connection is kept between tasks) from every queue, in ``rq_backend.listen_order``:
  rq always takes from the first queue that has work, so sends go before the default work,
  bulk work after both, and low-priority tasks (a broadcast's fan-out) last.
- **Deferred tasks** (``run_after``: a send waiting for its slot, a retry, a reminder) wait
  in rq's scheduled registry; the worker runs rq's scheduler (one per Redis, whichever
  worker takes its lock), which queues them once due (it looks every second, and due times
  are kept to the whole second).
- **A worker killed mid-task** leaves its job "started"; once the job's timeout
  (``TASKS_RECLAIM_AFTER``) has passed, rq's maintenance finds it abandoned and the task is
  queued again as a new job (tasks are written to run twice safely).
- **Periodic jobs and drains** (``core.schedule``) run in a thread beside rq's worker, as the
  database worker runs them between tasks: every few seconds the jobs that are due are
  enqueued (once per round however many workers run), and stored webhooks are drained.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any

import django_rq
import structlog
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_rq import Job
from rq import Queue
from rq.exceptions import AbandonedJobError
from rq.worker import SimpleWorker

from ventanilla.core import schedule
from ventanilla.core.rq_backend import listen_order
from ventanilla.core.worker import (
    DATABASE_ERRORS,
    FIRST_BACKOFF,
    MAX_BACKOFF,
    SCHEDULE_CHECK_SECONDS,
)

log = structlog.get_logger(__name__)


class Worker(SimpleWorker):
    """rq's in-process worker, dropping stale database connections around each task."""

    def execute_job(self, job: Any, queue: Queue) -> None:
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()


def requeue_abandoned(
    job: Any,
    exc_type: type[BaseException] | None,
    exc_value: BaseException | None,
    traceback: TracebackType | None,
) -> bool:
    """Queue again, as a new job, a task whose worker died under it (rq calls it abandoned)."""
    if exc_type is not None and issubclass(exc_type, AbandonedJobError):
        job.func.enqueue(*job.args, **job.kwargs)
        log.warning("task_requeued_after_worker_died", task=job.func_name, job=job.id)
    return True  # rq goes on to record the abandoned job as failed


class BetweenTasks(threading.Thread):
    """Enqueue the periodic jobs that are due and run the drains, until told to stop."""

    def __init__(self, *, interval: float) -> None:
        super().__init__(name="ventanilla-between-tasks", daemon=True)
        self.interval = interval
        self.stopping = threading.Event()
        self.next_schedule_check = 0.0

    def run(self) -> None:
        backoff = FIRST_BACKOFF
        while not self.stopping.is_set():
            try:
                close_old_connections()
                drained = self.round()
            except DATABASE_ERRORS as error:
                log.error("worker_database_unavailable", error=repr(error))
                connections.close_all()
                self.stopping.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                continue
            except Exception:  # one bad round must not stop the periodic jobs for good
                log.exception("worker_between_tasks_failed")
                drained = 0
            backoff = FIRST_BACKOFF
            if not drained:
                self.stopping.wait(self.interval)
        connections.close_all()

    def round(self) -> int:
        """Enqueue the due periodic jobs (every few seconds), run the drains once."""
        now = time.monotonic()
        if now >= self.next_schedule_check:
            self.next_schedule_check = now + SCHEDULE_CHECK_SECONDS
            schedule.enqueue_due_jobs()
        return schedule.drains.run()


def run(*, queues: list[str] | None = None, interval: float = 0.5, batch: bool = False) -> None:
    """Work through ``queues`` (default: all, in ``listen_order``) until stopped.

    With ``batch``, enqueue the due periodic jobs, run the drains and every queued (and
    due deferred) task, then return.
    """
    names = queues or listen_order()
    worker = Worker(
        [django_rq.get_queue(name, job_class=Job) for name in names],
        connection=django_rq.get_connection(names[0]),
        job_class=Job,
        exception_handlers=[requeue_abandoned],
        name=f"ventanilla-{get_random_string(12)}",
    )
    between = BetweenTasks(interval=interval)
    log.info("worker_started", worker=worker.name, backend="rq", queues=",".join(names))
    if batch:
        while between.round():
            pass
        worker.work(burst=True, with_scheduler=True, logging_level="WARNING")
        return
    between.start()
    try:
        worker.work(with_scheduler=True, logging_level="WARNING")
    finally:
        between.stopping.set()
        between.join(timeout=30)
