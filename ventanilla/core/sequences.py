"""Gapless yearly numbers per council (case references, registry entries), taken under a lock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction

from ventanilla.core.models import Council


def next_in_sequence(
    model: type[models.Model], *, council: Council, moment: dt.datetime
) -> tuple[int, int]:
    """Return (year, number): the next number of ``council``'s sequence for ``moment``'s year.

    ``model`` has ``council``, ``year`` and ``last_number``. The row is locked until the
    caller's transaction ends, so numbers are unique and gapless under concurrency; it must
    run inside the transaction that stores the numbered row.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{model.__name__} numbers must be taken inside the row's transaction")
    year = moment.astimezone(council.tz).year
    # Create the year's row if missing; a concurrent creator is ignored, not an error.
    manager: Any = model._default_manager
    manager.bulk_create([model(council=council, year=year, last_number=0)], ignore_conflicts=True)
    sequence = manager.select_for_update().get(council=council, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return year, int(sequence.last_number)
