"""Retention as a background task: every council, once a day, then again tomorrow."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from ventanilla.core.models import Council
from ventanilla.privacy.retention import apply_retention

EVERY = dt.timedelta(days=1)


@task(queue_name="bulk")
def apply_retention_daily() -> int:
    """Apply retention in every council; enqueue the next run a day later when the queue can."""
    councils = 0
    for council in Council.objects.all():
        apply_retention(council=council, dry_run=False)
        councils += 1
    if apply_retention_daily.get_backend().supports_defer:
        apply_retention_daily.using(run_after=timezone.now() + EVERY).enqueue()
    return councils
