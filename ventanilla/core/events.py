"""Live-update events for open staff pages, sent after the transaction commits.

The inbox listens to them (server-sent events). The store is a database table so that it
works across several web processes on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ventanilla.core.models import LiveEvent

_batch = threading.local()


def publish_on_commit(*, council_id: int, kind: str, data: dict[str, Any]) -> None:
    """Record a live event once the current transaction commits.

    Inside :func:`batched`, committed events are kept and written together when it ends.
    """

    def publish() -> None:
        event = LiveEvent(council_id=council_id, kind=kind, data=data)
        kept: list[LiveEvent] | None = getattr(_batch, "events", None)
        if kept is None:
            event.save()
        else:
            kept.append(event)

    transaction.on_commit(publish)


def publish_many_on_commit(*, kind: str, events: list[tuple[int, dict[str, Any]]]) -> None:
    """Record live events ``(council id, data)`` in one INSERT once the transaction commits."""
    if not events:
        return

    def publish() -> None:
        rows = [LiveEvent(council_id=council, kind=kind, data=data) for council, data in events]
        kept: list[LiveEvent] | None = getattr(_batch, "events", None)
        if kept is None:
            LiveEvent.objects.bulk_create(rows)
        else:
            kept.extend(rows)

    transaction.on_commit(publish)


@contextlib.contextmanager
def batched() -> Iterator[None]:
    """Write the live events committed in this block in one insert when it ends.

    For batch work (a worker applying hundreds of stored webhooks in one transaction): only
    events whose transaction committed are kept (Django drops the commit hooks of a rolled
    back savepoint), and pages see them a moment later, all at once.
    """
    if getattr(_batch, "events", None) is not None:
        yield  # already batching: the outer block writes them
        return
    _batch.events = []
    try:
        yield
    finally:
        kept, _batch.events = _batch.events, None
        if kept:
            LiveEvent.objects.bulk_create(kept)


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
