"""Summary counts behind the dashboard: ``Tally`` and ``DurationTally``, kept incrementally.

Every change of a ``CaseFigures`` row (``rollup.refresh_cases``) adds the new row's
contributions and takes away the old row's, in the same transaction; ``rebuild``
recomputes a council's tallies from its ``CaseFigures`` rows in a few SQL statements.
Working times are whole minutes (``figures.with_working_time`` rounds them), so the
medians and 90th percentiles read from the per-minute counts are exactly those of the
cases.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.db.models.functions import Round

from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.core.models import Council
from ventanilla.insights import figures as F
from ventanilla.insights.models import BacklogTally, CaseFigures, DurationTally, Tally

#: dimension -> CaseFigures column (the department is the total rows' department_id)
STORED: dict[str, str | None] = {
    "total": None,
    "category": "category_id",
    "channel": "channel",
    "district": "district_id",
    "agent": "assignee_id",
}
COUNTS = (
    "received",
    "resolved",
    "counted",
    "on_time",
    "ever_resolved",
    "reopened",
    "rated_1",
    "rated_2",
    "rated_3",
    "rated_4",
    "rated_5",
)
_NOT_TO_RESOLVE = frozenset(str(s) for s in F.NOT_TO_RESOLVE)
_OPEN = frozenset(str(s) for s in OPEN_STATUSES)

TallyKey = tuple[str, dt.date, int, str, str]  # grain, start, department, dimension, key
DurationKey = tuple[str, dt.date, int, str, str, str, int]  # grain, start, dept, dim, key, m, v
BacklogKey = tuple[str, dt.date, int]  # kind, UTC day, department
Counts = tuple[dict[TallyKey, list[int]], dict[DurationKey, int], dict[BacklogKey, int]]


def first_minutes(hours: float | None) -> int | None:
    return None if hours is None else round(hours * 60)


def resolution_minutes(days: float | None) -> int | None:
    return None if days is None else round(days * 1440)


def grains_of(day: dt.date) -> tuple[tuple[str, dt.date], ...]:
    """Return the (grain, start) of each tally row that counts a case of ``day``."""
    return (
        ("day", day),
        ("week", day - dt.timedelta(days=day.weekday())),
        ("month", day.replace(day=1)),
        ("year", day.replace(month=1, day=1)),
    )


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def utc_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(dt.UTC).date()


class Deltas:
    """Changes to add to the tallies: +1 for a row's contributions, -1 to take them away."""

    def __init__(self) -> None:
        self.tally: dict[TallyKey, list[int]] = defaultdict(lambda: [0] * len(COUNTS))
        self.duration: dict[DurationKey, int] = defaultdict(int)
        self.backlog: dict[BacklogKey, int] = defaultdict(int)

    def add(self, row: CaseFigures, sign: int) -> None:
        if row.status in _OPEN:
            self.backlog[("created", utc_day(row.created_at), row.department_id)] += sign
            self.backlog[("due", utc_day(row.due_at), row.department_id)] += sign
        not_to_resolve = row.status in _NOT_TO_RESOLVE
        resolved = row.resolved_at is not None
        received = [0] * len(COUNTS)
        received[0] = 1
        if resolved and not not_to_resolve:
            received[2] = 1
            received[3] = int(row.resolved_at <= row.due_at)  # type: ignore[operator]
        if resolved or row.reopened:
            received[4] = 1
            received[5] = int(row.reopened)
        if row.satisfaction in (1, 2, 3, 4, 5):
            received[5 + row.satisfaction] = 1
        first = first_minutes(row.first_response_hours)
        resolution = resolution_minutes(row.resolution_days)
        grains = grains_of(row.day)
        for dimension, column in STORED.items():
            key = "" if column is None else _key(getattr(row, column))
            for grain, start in grains:
                counts = self.tally[(grain, start, row.department_id, dimension, key)]
                for i, n in enumerate(received):
                    counts[i] += sign * n
            if row.resolved_day is not None:
                for grain, start in grains_of(row.resolved_day):
                    self.tally[(grain, start, row.department_id, dimension, key)][1] += sign
            for grain, start in grains:
                prefix = (grain, start, row.department_id, dimension, key)
                if first is not None:
                    self.duration[(*prefix, "first", first)] += sign
                if resolution is not None:
                    self.duration[(*prefix, "resolution", resolution)] += sign
                    if dimension == "category" and not not_to_resolve:
                        self.duration[(*prefix, "charter", resolution)] += sign


def apply(*, council: Council, old: Iterable[CaseFigures], new: Iterable[CaseFigures]) -> None:
    """Take ``old`` rows' contributions away from ``council``'s tallies and add ``new``'s."""
    deltas = Deltas()
    for row in old:
        deltas.add(row, -1)
    for row in new:
        deltas.add(row, 1)
    # in key order, so that concurrent changes lock the rows they share in the same order
    tally = sorted((k, v) for k, v in deltas.tally.items() if any(v))
    duration = sorted((k, v) for k, v in deltas.duration.items() if v)
    backlog = sorted((k, v) for k, v in deltas.backlog.items() if v)
    with transaction.atomic(savepoint=False):  # a failure undoes the caller's rewrite too
        if backlog:
            _upsert(
                BacklogTally._meta.db_table,
                ("council_id", "kind", "day", "department_id"),
                ("n",),
                [(council.pk, *k, v) for k, v in backlog],
            )
        if tally:
            _upsert(
                Tally._meta.db_table,
                ("council_id", "grain", "start", "department_id", "dimension", "key"),
                COUNTS,
                [(council.pk, *k, *v) for k, v in tally],
            )
        if duration:
            _upsert(
                DurationTally._meta.db_table,
                (
                    "council_id",
                    "grain",
                    "start",
                    "department_id",
                    "dimension",
                    "key",
                    "measure",
                    "value",
                ),
                ("n",),
                [(council.pk, *k, v) for k, v in duration],
            )


def _upsert(
    table: str, keys: tuple[str, ...], counts: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    columns = (*keys, *counts)
    q = connection.ops.quote_name
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{q(c)} = {q(table)}.{q(c)} + EXCLUDED.{q(c)}" for c in counts)
    for i in range(0, len(rows), 500):
        chunk = rows[i : i + 500]
        sql = (
            f"INSERT INTO {q(table)} ({', '.join(q(c) for c in columns)}) "  # noqa: S608
            f"VALUES {', '.join([one] * len(chunk))} "
            f"ON CONFLICT ({', '.join(q(c) for c in keys)}) DO UPDATE SET {updates}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [value for row in chunk for value in row])


def _grain_sql(grain: str, column: str) -> str:
    """Return SQL for the first day of the ``grain`` (day, week, month, year) of ``column``."""
    if grain == "day":
        return column
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('{grain}', {column}) AS date)"
    if grain == "week":  # the Sunday on or after, less six days: the Monday
        return f"date({column}, 'weekday 0', '-6 days')"
    return f"date({column}, 'start of {grain}')"


GRAINS = ("day", "week", "month", "year")


def _utc_day_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({column} AT TIME ZONE 'UTC' AS date)"
    return f"date({column})"  # SQLite keeps moments as UTC text


def _key_sql(column: str | None) -> str:
    if column is None:
        return "''"
    if column == "channel":
        return "channel"
    return f"COALESCE(CAST({column} AS TEXT), '')"


def round_times(*, council: Council) -> int:
    """Round ``council``'s stored working times to whole minutes; return how many rows it has.

    Rows written before times were rounded (the reactions round them now) are made to
    agree with the tallies, which count whole minutes.
    """
    rows = CaseFigures.objects.filter(council=council)
    for column, per_unit in (("first_response_hours", 60), ("resolution_days", 1440)):
        rounded = Round(models.F(column) * per_unit) / float(per_unit)
        rows.filter(**{f"{column}__isnull": False}).exclude(**{column: rounded}).update(
            **{column: rounded}
        )
    return rows.count()


def rebuild(*, council: Council) -> None:
    """Recompute ``council``'s tallies from its ``CaseFigures`` rows."""
    figures = CaseFigures._meta.db_table
    not_to_resolve = sorted(_NOT_TO_RESOLVE)
    ntr = ", ".join(["%s"] * len(not_to_resolve))
    with transaction.atomic():
        Tally.objects.filter(council=council).delete()
        DurationTally.objects.filter(council=council).delete()
        BacklogTally.objects.filter(council=council).delete()
        open_statuses = sorted(_OPEN)
        for kind, moment in (("created", "created_at"), ("due", "due_at")):
            sql = f"""
                INSERT INTO {BacklogTally._meta.db_table} (council_id, kind, day, department_id, n)
                SELECT %s, %s, day, department_id, COUNT(*) FROM (
                    SELECT {_utc_day_sql(moment)} AS day, department_id FROM {figures}
                    WHERE council_id = %s AND status IN ({", ".join(["%s"] * len(open_statuses))})
                ) AS parts
                GROUP BY day, department_id
            """  # noqa: S608 - only our own column names and placeholders
            with connection.cursor() as cursor:
                cursor.execute(sql, [council.pk, kind, council.pk, *open_statuses])
        counts_sql = ", ".join(COUNTS)
        for dimension, column in STORED.items():
            key = _key_sql(column)
            for grain in GRAINS:
                start, out = _grain_sql(grain, "day"), _grain_sql(grain, "resolved_day")
                received = f"""
                    SELECT {start} AS start, department_id, {key} AS k,
                        1 AS received, 0 AS resolved,
                        CASE WHEN resolved_at IS NOT NULL AND status NOT IN ({ntr})
                            THEN 1 ELSE 0 END AS counted,
                        CASE WHEN resolved_at IS NOT NULL AND status NOT IN ({ntr})
                            AND resolved_at <= due_at THEN 1 ELSE 0 END AS on_time,
                        CASE WHEN resolved_at IS NOT NULL OR reopened THEN 1 ELSE 0 END
                            AS ever_resolved,
                        CASE WHEN reopened THEN 1 ELSE 0 END AS reopened,
                        CASE WHEN satisfaction = 1 THEN 1 ELSE 0 END AS rated_1,
                        CASE WHEN satisfaction = 2 THEN 1 ELSE 0 END AS rated_2,
                        CASE WHEN satisfaction = 3 THEN 1 ELSE 0 END AS rated_3,
                        CASE WHEN satisfaction = 4 THEN 1 ELSE 0 END AS rated_4,
                        CASE WHEN satisfaction = 5 THEN 1 ELSE 0 END AS rated_5
                    FROM {figures} WHERE council_id = %s
                    UNION ALL
                    SELECT {out}, department_id, {key}, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0
                    FROM {figures} WHERE council_id = %s AND resolved_day IS NOT NULL
                """  # noqa: S608 - only our own column names and placeholders
                sums = ", ".join(f"SUM({c})" for c in COUNTS)
                sql = f"""
                    INSERT INTO {Tally._meta.db_table}
                        (council_id, grain, start, department_id, dimension, key, {counts_sql})
                    SELECT %s, %s, start, department_id, %s, k, {sums}
                    FROM ({received}) AS parts GROUP BY start, department_id, k
                """  # noqa: S608 - only our own column names and placeholders
                with connection.cursor() as cursor:
                    cursor.execute(
                        sql,
                        [
                            council.pk,
                            grain,
                            dimension,
                            *not_to_resolve,
                            *not_to_resolve,
                            council.pk,
                            council.pk,
                        ],
                    )
            measures = [
                ("first", "first_response_hours * 60", ""),
                ("resolution", "resolution_days * 1440", ""),
            ]
            if dimension == "category":
                measures.append(("charter", "resolution_days * 1440", f"AND status NOT IN ({ntr})"))
            for (measure, expression, extra), grain in itertools.product(measures, GRAINS):
                start = _grain_sql(grain, "day")
                sql = f"""
                    INSERT INTO {DurationTally._meta.db_table}
                        (council_id, grain, start, department_id, dimension, key, measure,
                         value, n)
                    SELECT %s, %s, start, department_id, %s, k, %s, value, COUNT(*)
                    FROM (
                        SELECT {start} AS start, department_id, {key} AS k,
                            CAST(ROUND({expression}) AS INTEGER) AS value
                        FROM {figures}
                        WHERE council_id = %s AND {expression} IS NOT NULL {extra}
                    ) AS parts
                    GROUP BY start, department_id, k, value
                """  # noqa: S608 - only our own column names and placeholders
                params: list[Any] = [council.pk, grain, dimension, measure, council.pk]
                if extra:
                    params += not_to_resolve
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)


def recount(*, council: Council) -> Counts:
    """Return the tallies worked out in Python from ``council``'s rows (for the tests)."""
    deltas = Deltas()
    for row in CaseFigures.objects.filter(council=council):
        deltas.add(row, 1)
    return (
        {k: v for k, v in deltas.tally.items() if any(v)},
        {k: v for k, v in deltas.duration.items() if v},
        {k: v for k, v in deltas.backlog.items() if v},
    )


def stored(*, council: Council) -> Counts:
    """Return ``council``'s stored tallies (rows that add up to nothing left out)."""
    tally = {}
    for row in Tally.objects.filter(council=council).values_list(
        "grain", "start", "department_id", "dimension", "key", *COUNTS
    ):
        if any(row[5:]):
            tally[tuple(row[:5])] = list(row[5:])
    duration = {
        tuple(row[:7]): row[7]
        for row in DurationTally.objects.filter(council=council, n__gt=0).values_list(
            "grain", "start", "department_id", "dimension", "key", "measure", "value", "n"
        )
    }
    backlog = {
        (kind, day, department): n
        for kind, day, department, n in BacklogTally.objects.filter(
            council=council, n__gt=0
        ).values_list("kind", "day", "department_id", "n")
    }
    return tally, duration, backlog  # type: ignore[return-value]
