"""Reference numbers ``YYYY-NNNNNN``: per council, restarting each year, without gaps.

The number is taken inside the transaction that creates the case, under a row lock on the
council's sequence for that year. If the transaction rolls back, so does the number, so
there are never gaps; two processes queue on the lock, so there are never duplicates.
"""

from __future__ import annotations

import datetime as dt
import re

from ventanilla.cases.models import ReferenceSequence
from ventanilla.core.models import Council
from ventanilla.core.sequences import next_in_sequence

#: how people write a reference: a year 19xx/20xx, then a dash (any of the dashes phones
#: type), a slash or plain spaces, then up to six digits; spaces may surround the dash or
#: slash, and the number is not part of a longer run of digits ("ref.2026-123",
#: "2026 – 123", "2026/000123", "2026 123" are all 2026-000123)
REFERENCE_WRITTEN = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})(?:\s*[-‐‑–—/]\s*|\s+)([0-9]{1,6})(?![0-9])"
)
#: the start of a reference as staff type it in a search box ("2026-0001")
REFERENCE_PREFIX = re.compile(r"^[0-9]{4}-[0-9]{1,6}$")


def format_reference(year: int, number: int) -> str:
    return f"{year:04d}-{number:06d}"


def find_references(text: str) -> list[str]:
    """Return the reference numbers written in ``text``, in order, as the council writes them.

    Residents shorten, space and dash numbers as they please: see ``REFERENCE_WRITTEN``.
    """
    return [format_reference(int(y), int(n)) for y, n in REFERENCE_WRITTEN.findall(text or "")]


def is_reference_prefix(text: str) -> bool:
    """Return whether ``text`` is the start of a reference ("2026-00012"), to match by prefix."""
    return REFERENCE_PREFIX.match(text) is not None


def allocate_reference(*, council: Council, moment: dt.datetime) -> str:
    """Return the next reference number of ``council`` for the year of ``moment``."""
    year, number = next_in_sequence(ReferenceSequence, council=council, moment=moment)
    return format_reference(year, number)
