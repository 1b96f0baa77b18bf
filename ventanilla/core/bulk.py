"""Fast inserts of many rows (imports, a broadcast's fan-out): a few µs a row, not the ORM's 100.

``bulk_create`` compiles every value of every row through the fields; for 100,000 rows of a
wide table that is most of a minute on a busy machine. These helpers take values already
in the database's form, reserve the primary keys first (so the caller knows them without
reading the rows back) and insert with one ``executemany`` per batch.

Keys come from the table's own sequence on PostgreSQL (safe with concurrent writers); on
SQLite from ``MAX(id)`` inside the caller's transaction (SQLite has one writer at a time;
a writer that slips in between makes the insert fail, and the caller's transaction with it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

BATCH = 5000


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return ``count`` new primary keys for ``model``'s table (call it inside a transaction)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    column = pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quoted(column)}), 0) FROM {quoted(table)}")  # noqa: S608
        first = int(cursor.fetchone()[0]) + 1
    return list(range(first, first + count))


def db_value(model: type[models.Model], field: str, value: Any) -> Any:
    """Return ``value`` of ``model.field`` in the database's form (prepare once, reuse)."""
    return model._meta.get_field(field).get_db_prep_save(value, connection)  # type: ignore[union-attr]


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (values in the database's form, in the order of ``fields``).

    SQLite: one ``executemany`` per batch (a few µs a row). PostgreSQL: ``COPY ... FROM
    STDIN`` (the client-side binding this project uses would parse a huge statement slowly).
    """
    quoted = connection.ops.quote_name
    columns = [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    table = quoted(model._meta.db_table)
    names = ", ".join(quoted(c) for c in columns)
    total = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor, so its errors are turned into Django's here: a caller
            # catching IntegrityError (a row another worker inserted first) must see one.
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        total += 1
            return total
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                total += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
    return total
