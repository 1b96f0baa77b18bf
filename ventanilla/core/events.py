"""Live-update events for open staff pages, sent after the transaction commits.

The inbox listens to them (server-sent events). The store is a database table so that it
works across several web processes on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction


def publish_on_commit(*, council_id: int, kind: str, data: dict[str, Any]) -> None:
    """Record a live event once the current transaction commits."""

    def publish() -> None:
        from ventanilla.core.models import LiveEvent

        LiveEvent.objects.create(council_id=council_id, kind=kind, data=data)

    transaction.on_commit(publish)
