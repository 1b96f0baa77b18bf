"""Registry entry numbers: per council, restarting each year, without gaps.

The same approach as case references (``cases.references``): the number is taken inside
the transaction that creates the entry, under a row lock on the council's sequence for the
year. A rollback takes the number back (no gaps); two processes queue on the lock (no
duplicates).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ventanilla.core.models import Council
from ventanilla.procedures.models import RegistrySequence


def allocate_entry_number(*, council: Council, moment: dt.datetime) -> tuple[int, int]:
    """Return (year, number): the next registry entry number of ``council`` for ``moment``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_entry_number must run inside the entry's transaction")
    year = moment.astimezone(council.tz).year
    RegistrySequence.objects.bulk_create(
        [RegistrySequence(council=council, year=year, last_number=0)], ignore_conflicts=True
    )
    sequence = RegistrySequence.objects.select_for_update().get(council=council, year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return year, sequence.last_number
