"""Reference numbers ``YYYY-NNNNNN``: per council, restarting each year, without gaps.

The number is taken inside the transaction that creates the case, under a row lock on the
council's sequence for that year. If the transaction rolls back, so does the number, so
there are never gaps; two processes queue on the lock, so there are never duplicates.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ventanilla.cases.models import ReferenceSequence
from ventanilla.core.models import Council


def format_reference(year: int, number: int) -> str:
    return f"{year:04d}-{number:06d}"


def allocate_reference(*, council: Council, moment: dt.datetime) -> str:
    """Return the next reference number of ``council`` for the year of ``moment``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_reference must run inside the case's transaction")
    year = moment.astimezone(council.tz).year
    # Create the year's row if missing; a concurrent creator is ignored, not an error.
    ReferenceSequence.objects.bulk_create(
        [ReferenceSequence(council=council, year=year, last_number=0)], ignore_conflicts=True
    )
    sequence = ReferenceSequence.objects.select_for_update().get(council=council, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return format_reference(year, sequence.last_number)
