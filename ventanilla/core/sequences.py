"""Gapless yearly numbers per council (registry entries; case references on SQLite), taken
under a lock."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db import models, transaction

from ventanilla.core.models import Council


def next_in_sequence(
    model: type[models.Model], *, council: Council, moment: dt.datetime
) -> tuple[int, int]:
    """Return (year, number): the next number of ``council``'s sequence for ``moment``'s year.

    ``model`` has ``council``, ``year`` and ``last_number``, unique on (council, year). One
    upsert creates the year's row or adds one to it, and returns the number: the row stays
    locked until the caller's transaction ends, so numbers are unique and gapless under
    concurrency; it must run inside the transaction that stores the numbered row. (One
    statement, not an INSERT, a SELECT FOR UPDATE and an UPDATE: the next case of the
    council waits for this lock, so every statement it is held across counts.)
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError(f"{model.__name__} numbers must be taken inside the row's transaction")
    year = moment.astimezone(council.tz).year
    meta = model._meta
    table, quote = meta.db_table, connection.ops.quote_name
    council_column, year_column, last_column = (
        quote(cast(models.Field, meta.get_field(name)).column)
        for name in ("council", "year", "last_number")
    )
    with connection.cursor() as cursor:
        cursor.execute(  # names from the model's metadata; the values are parameters
            f"INSERT INTO {quote(table)} ({council_column}, {year_column}, {last_column})"  # noqa: S608
            f" VALUES (%s, %s, 1) ON CONFLICT ({council_column}, {year_column})"
            f" DO UPDATE SET {last_column} = {quote(table)}.{last_column} + 1"
            f" RETURNING {last_column}",
            [council.pk, year],
        )
        (number,) = cursor.fetchone()
    return year, int(number)
