"""Fixed-window rate limits that hold across web processes: counted in a database table.

A cache would not do: the default local-memory cache counts per process, and Django's
database cache increments by reading and then writing, so two processes can both read 19
and both let the 20th request through. Here the count goes up with one ``UPDATE ... SET
count = count + 1`` inside a transaction; the database serialises those updates on the row
(PostgreSQL's row lock, SQLite's write lock), so N processes together allow ``limit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ventanilla.core.models import RateCount

#: on about one new window in this many, rows of finished windows are deleted
PRUNE_ONE_IN = 50


def key_for(scope: str, client: str) -> str:
    """Return the row key for ``client`` in ``scope``: a keyed hash, never the address itself."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client}".encode()).hexdigest()[:40]
    return f"{scope[:50]}:{digest}"


def hit(*, scope: str, client: str, limit: int, window_seconds: int) -> bool:
    """Count one action of ``client`` in ``scope``; return False once over ``limit``."""
    now = timezone.now()
    window = int(now.timestamp()) // window_seconds
    key = key_for(scope, client)
    with transaction.atomic():
        updated = RateCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
        if not updated:
            expires = dt.datetime.fromtimestamp((window + 1) * window_seconds, tz=dt.UTC)
            try:
                with transaction.atomic():
                    RateCount.objects.create(key=key, window=window, count=1, expires_at=expires)
            except IntegrityError:  # another process created the row first: count in it
                RateCount.objects.filter(key=key, window=window).update(count=F("count") + 1)
            else:
                if random.randrange(PRUNE_ONE_IN) == 0:  # noqa: S311 - not a secret
                    RateCount.objects.filter(expires_at__lt=now).delete()
        count = RateCount.objects.filter(key=key, window=window).values_list("count", flat=True)[0]
    return count <= limit
