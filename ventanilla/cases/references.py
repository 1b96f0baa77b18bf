"""Reference numbers ``YYYY-NNNNNN``: per council, restarting each year, unique, never reused.

On PostgreSQL each council and year has a sequence of its own (``cases_reference_<council
id>_<year>``, created with the year's first case): ``nextval`` takes a number without a
lock held until the case commits, so one council's cases open side by side. A number
taken by a case whose transaction then fails is not given again: a gap, never a
duplicate. (The registry's entry numbers, ``procedures.registry``, are the gapless ones:
each case has one.) The sequence starts after the highest number the council's
``ReferenceSequence`` row or its cases of that year hold, so an installation that took its
numbers under the row's lock goes on from where it was.

On SQLite, which has one writer at a time, the number is taken under the row lock of the
council's ``ReferenceSequence`` inside the case's transaction, as the registry does.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, ProgrammingError, connection, transaction

from ventanilla.cases.models import Case, ReferenceSequence
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
    if connection.vendor != "postgresql":
        year, number = next_in_sequence(ReferenceSequence, council=council, moment=moment)
        return format_reference(year, number)
    year = moment.astimezone(council.tz).year
    name = f"cases_reference_{council.pk}_{year}"
    with connection.cursor() as cursor:
        # nextval of a sequence that does not exist yet is NULL (to_regclass), not an error
        cursor.execute("SELECT nextval(to_regclass(%s))", [name])
        (number,) = cursor.fetchone()
        if number is None:
            _create_sequence(name, council=council, year=year)
            cursor.execute("SELECT nextval(%s)", [name])
            (number,) = cursor.fetchone()
    return format_reference(year, int(number))


def _create_sequence(name: str, *, council: Council, year: int) -> None:
    """Create the council's sequence for ``year``, after every number it has given."""
    row = ReferenceSequence.objects.filter(council=council, year=year).first()
    latest = (
        Case.objects.filter(council=council, reference__startswith=f"{year:04d}-")
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    last = max(row.last_number if row else 0, int(latest.split("-")[1]) if latest else 0)
    try:
        with transaction.atomic():  # a savepoint: another case may be creating it too
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS {name} START WITH {last + 1}")
    except (IntegrityError, ProgrammingError) as error:
        # 23505/42P07: created by a case that committed first; take its next number
        if getattr(error.__cause__, "sqlstate", None) not in ("23505", "42P07"):
            raise
