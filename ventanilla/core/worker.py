"""The task worker behind ``ventanilla worker``: django-tasks-db's, made to outlive trouble.

Three things the database worker does not do on its own:

- **A worker that died mid-task** (``kill -9``, an out-of-memory kill, a lost machine) leaves
  its task RUNNING forever. Every worker puts RUNNING tasks older than
  ``TASKS_RECLAIM_AFTER`` seconds back in the queue. Tasks are written to run twice safely
  (delivery state lives in the message rows; a send keeps its idempotency key), so the
  timeout only has to be longer than any task takes.
- **A database outage** (restart, failover, a dropped connection) made it exit. It now logs
  the outage once, closes its connections, waits (1 s, doubling up to 30 s) and tries again;
  a task the outage cut short is queued again once the database is back.
- **Periodic jobs** (retention, pruning): every few seconds it enqueues those that are due
  (``core.schedule``), once per round however many workers run; and between tasks it runs
  the drains (stored webhooks processed in batches).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import structlog
from django.db import InterfaceError, OperationalError, close_old_connections, connections
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from ventanilla.core import schedule

log = structlog.get_logger(__name__)

#: what an unreachable database raises (psycopg's pool timeout is an OperationalError)
DATABASE_ERRORS = (OperationalError, InterfaceError)
FIRST_BACKOFF, MAX_BACKOFF = 1.0, 30.0
#: a task cut short by an outage runs again this long after the database is back
REQUEUE_DELAY = dt.timedelta(seconds=1)
#: how often a worker looks for periodic jobs that are due
SCHEDULE_CHECK_SECONDS = 5.0
#: while tasks are waiting, the drains (stored webhooks) get a turn at most this often, so a
#: burst of webhooks and the dialog's answers to them share the worker instead of the burst
#: holding every answer back until it is all stored
DRAIN_EVERY_SECONDS = 0.5


class ResilientWorker(Worker):
    """django-tasks-db's worker that reclaims dead workers' tasks and survives outages."""

    def __init__(self, *, reclaim_after: float, **options: Any) -> None:
        super().__init__(**options)
        self.reclaim_after = reclaim_after
        self.next_reclaim = 0.0
        self.next_schedule_check = 0.0
        self.next_drain = 0.0
        self.ran_task = False  # in the last round: the drains then wait for their turn
        self.outage_since: float | None = None
        self.backoff = FIRST_BACKOFF
        self.cut_short: set[str] = set()

    def run(self) -> None:
        log.info("worker_started", worker=self.worker_id, queues=",".join(self.queue_names))
        while self.running:
            try:
                close_old_connections()
                self.reclaim_stale_tasks()
                self.enqueue_due_jobs()
                drained = self.run_drains()
                task_result = self.claim_next_task()
                self.database_is_back()
            except DATABASE_ERRORS as error:
                self.database_lost(error)
                continue
            self.ran_task = task_result is not None
            if task_result is not None:
                try:
                    self.run_task(task_result)
                    self.requeue_if_cut_short(task_result)
                except DATABASE_ERRORS as error:
                    self.cut_short.add(str(task_result.pk))
                    self.database_lost(error)
                    continue
            elif self.batch and drained == 0:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            if self.running and task_result is None and drained == 0:
                time.sleep(self.interval)

    def claim_next_task(self) -> DBTaskResult | None:
        """Take the next ready task and mark it RUNNING for this worker (as db_worker does)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except OperationalError as error:
                if not is_locked_database_exception(error):
                    raise
                return None  # SQLite busy: another worker holds the lock; try again
        return task_result

    def run_drains(self) -> int | None:
        """Run the drains when their turn has come; return how many items they took (None
        when it was not their turn).

        After a round that ran a task, the drains wait ``DRAIN_EVERY_SECONDS``; after an idle
        round they run at once. Each drain keeps to its own time budget.
        """
        if self.ran_task and time.monotonic() < self.next_drain:
            return None
        taken = schedule.drains.run()
        self.next_drain = time.monotonic() + DRAIN_EVERY_SECONDS
        return taken

    def enqueue_due_jobs(self) -> None:
        """Enqueue the periodic jobs that are due (``core.schedule``), every few seconds."""
        now = time.monotonic()
        if now < self.next_schedule_check:
            return
        self.next_schedule_check = now + SCHEDULE_CHECK_SECONDS
        schedule.enqueue_due_jobs()

    def reclaim_stale_tasks(self) -> int:
        """Queue again the tasks RUNNING for longer than ``reclaim_after``: their worker died."""
        now = time.monotonic()
        if now < self.next_reclaim:
            return 0
        self.next_reclaim = now + min(max(self.reclaim_after / 4, 0.5), 60.0)
        cutoff = timezone.now() - dt.timedelta(seconds=self.reclaim_after)
        stale = DBTaskResult.objects.running().filter(
            backend_name=self.backend_name, started_at__lt=cutoff
        )
        count = stale.update(status="READY")
        if count:
            log.warning("tasks_reclaimed", count=count, after_seconds=self.reclaim_after)
        return count

    def requeue_if_cut_short(self, task_result: DBTaskResult) -> None:
        """Queue a task again if it failed because the database went away under it."""
        if task_result.status != "FAILED" or not task_result.exception_class_path:
            return
        try:
            error = import_string(task_result.exception_class_path)
        except ImportError:
            return
        if isinstance(error, type) and issubclass(error, DATABASE_ERRORS):
            self.cut_short.add(str(task_result.pk))
            self.requeue_cut_short()

    def database_lost(self, error: BaseException) -> None:
        """Log the outage once, drop the broken connections and wait before trying again."""
        if self.outage_since is None:
            self.outage_since = time.monotonic()
            log.error("worker_database_unavailable", worker=self.worker_id, error=repr(error))
        for connection in connections.all(initialized_only=True):
            try:
                connection.close()
            except Exception:  # noqa: S110 - it is broken: closing is all we can try
                pass
        if self.running:
            time.sleep(self.backoff)
        self.backoff = min(self.backoff * 2, MAX_BACKOFF)

    def database_is_back(self) -> None:
        if self.outage_since is None:
            return
        seconds = round(time.monotonic() - self.outage_since, 1)
        log.warning("worker_database_back", worker=self.worker_id, after_seconds=seconds)
        self.outage_since, self.backoff = None, FIRST_BACKOFF
        self.requeue_cut_short()

    def requeue_cut_short(self) -> None:
        """Put the tasks an outage interrupted back in the queue (RUNNING or FAILED)."""
        if not self.cut_short:
            return
        DBTaskResult.objects.filter(pk__in=self.cut_short, status__in=("RUNNING", "FAILED")).update(
            status="READY",
            finished_at=None,
            exception_class_path="",
            traceback="",
            run_after=timezone.now() + REQUEUE_DELAY,
        )
        log.info("tasks_requeued_after_outage", count=len(self.cut_short))
        self.cut_short.clear()
