"""Periodic jobs: "every day, apply retention", run by whichever worker sees them due first.

Each app declares its jobs as tasks; ``ventanilla/wiring.py`` adds them here with their
period, as it adds reactions. Every ``ventanilla worker`` calls :func:`enqueue_due_jobs`
between tasks; the ``ScheduledJob`` row of a job says when it is next due, and moving it
forward is one conditional UPDATE, so with several workers (on SQLite or PostgreSQL) each
round is enqueued exactly once. A job that is new, or whose period changed, runs at its
next boundary after the worker starts; nothing needs to be enqueued by hand after an
install or an upgrade.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import structlog
from django.utils import timezone
from django_tasks.base import Task

from ventanilla.core.models import ScheduledJob

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Job:
    """A task run every ``every``, first ``first_after`` after it is seen (default: at once)."""

    name: str
    task: Task[Any, Any]
    every: dt.timedelta
    first_after: dt.timedelta = dt.timedelta(0)


class Schedule:
    """The jobs of the installation, by name (adding the same name again replaces it)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def add(self, job: Job) -> None:
        if job.every <= dt.timedelta(0):
            raise ValueError(f"{job.name}: a period must be positive")
        self._jobs[job.name] = job

    def remove(self, name: str) -> None:
        self._jobs.pop(name, None)

    def __iter__(self) -> Iterator[Job]:
        return iter(list(self._jobs.values()))

    def __len__(self) -> int:
        return len(self._jobs)


jobs = Schedule()


class Drains:
    """Work a worker does between tasks without a task row per item (stored webhooks).

    Each drain processes what is waiting, in batches, and returns how many items it took;
    a worker whose drains found work does not sleep before looking again.
    """

    def __init__(self) -> None:
        self._drains: list[Callable[[], int]] = []

    def add(self, drain: Callable[[], int]) -> None:
        if drain not in self._drains:
            self._drains.append(drain)

    def remove(self, drain: Callable[[], int]) -> None:
        if drain in self._drains:
            self._drains.remove(drain)

    def run(self) -> int:
        return sum(drain() for drain in list(self._drains))


drains = Drains()


def enqueue_due_jobs(*, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due and move its next time on; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs:
        row, created = ScheduledJob.objects.get_or_create(
            name=job.name, defaults={"next_run_at": now + job.first_after}
        )
        if created and job.first_after:
            continue
        due_at = row.next_run_at
        if due_at > now + job.every:
            # The period was shortened since this row was written: do not wait the old one.
            due_at = now
        if due_at > now:
            continue
        following = max(due_at + job.every, now + job.every / 2)
        won = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
            next_run_at=following, last_enqueued_at=now
        )
        if not won:
            continue  # another worker took this round
        job.task.enqueue()
        log.info("scheduled_job_enqueued", job=job.name, next_run_at=following.isoformat())
        enqueued.append(job.name)
    return enqueued
