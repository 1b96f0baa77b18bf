"""The installation's own housekeeping, run as periodic jobs (see ``ventanilla/wiring.py``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from ventanilla.core.events import prune_live_events


def prune_finished_task_rows(*, now: dt.datetime | None = None) -> int:
    """Delete finished task rows past their keeping period; return how many.

    Successful tasks are kept ``TASKS_KEEP_DAYS``; failed ones ``FAILED_TASKS_KEEP_DAYS``,
    since staff may need to see why a send or a delivery gave up. Queued and running rows
    are never touched.
    """
    now = now or timezone.now()
    done = DBTaskResult.objects.filter(
        status="SUCCESSFUL", finished_at__lt=now - dt.timedelta(days=settings.TASKS_KEEP_DAYS)
    ).delete()[0]
    failed = DBTaskResult.objects.filter(
        status="FAILED",
        finished_at__lt=now - dt.timedelta(days=settings.FAILED_TASKS_KEEP_DAYS),
    ).delete()[0]
    return done + failed


@task(queue_name="bulk")
def prune_task_rows() -> int:
    """Delete old finished task rows (a periodic job)."""
    return prune_finished_task_rows()


@task(queue_name="bulk")
def prune_old_live_events() -> int:
    """Delete old live events even when no staff page is open to prune them (a periodic job)."""
    return prune_live_events()
