"""Live-update events for open staff pages, sent after the transaction commits.

The inbox listens to them (server-sent events). The store is a database table so that it
works across several web processes on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ventanilla.core.models import LiveEvent


def publish_on_commit(*, council_id: int, kind: str, data: dict[str, Any]) -> None:
    """Record a live event once the current transaction commits."""

    def publish() -> None:
        LiveEvent.objects.create(council_id=council_id, kind=kind, data=data)

    transaction.on_commit(publish)


def publish_many_on_commit(*, kind: str, events: list[tuple[int, dict[str, Any]]]) -> None:
    """Record live events ``(council id, data)`` in one INSERT once the transaction commits."""
    if not events:
        return

    def publish() -> None:
        LiveEvent.objects.bulk_create(
            [LiveEvent(council_id=council_id, kind=kind, data=data) for council_id, data in events]
        )

    transaction.on_commit(publish)


def prune_live_events() -> int:
    """Delete live events older than ``LIVE_EVENTS_KEEP_MINUTES``; return how many.

    Open pages only ever ask for the last minute or so (a stream resumes from its
    Last-Event-ID), so older rows serve nobody. The newest row is always kept: pages and
    streams read the highest id as "now".
    """
    cutoff = timezone.now() - dt.timedelta(minutes=settings.LIVE_EVENTS_KEEP_MINUTES)
    newest = LiveEvent.objects.aggregate(newest=Max("id"))["newest"] or 0
    deleted, _ = LiveEvent.objects.filter(created_at__lt=cutoff, id__lt=newest).delete()
    return deleted
