"""Registry entry numbers: per council, restarting each year, without gaps.

The same approach as case references (``cases.references``): the number is taken inside
the transaction that creates the entry, under a row lock on the council's sequence for the
year. A rollback takes the number back (no gaps); two processes queue on the lock (no
duplicates).
"""

from __future__ import annotations

import datetime as dt

from ventanilla.core.models import Council
from ventanilla.core.sequences import next_in_sequence
from ventanilla.procedures.models import RegistrySequence


def allocate_entry_number(*, council: Council, moment: dt.datetime) -> tuple[int, int]:
    """Return (year, number): the next registry entry number of ``council`` for ``moment``."""
    return next_in_sequence(RegistrySequence, council=council, moment=moment)
