"""Retention as a background task: every council, once a day (a periodic job, see wiring)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from ventanilla.core.models import Council
from ventanilla.privacy.retention import apply_retention

EVERY = dt.timedelta(days=1)


@task(queue_name="bulk")
def apply_retention_daily() -> int:
    """Apply retention in every council."""
    councils = 0
    for council in Council.objects.all():
        apply_retention(council=council, dry_run=False)
        councils += 1
    return councils
