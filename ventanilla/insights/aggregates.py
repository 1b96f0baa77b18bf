"""The figures computed inside PostgreSQL, for councils with millions of cases.

The same definitions as ``figures.summarise`` and ``figures.backlog``, in one scan of
``CaseFigures`` per question: ``GROUPING SETS`` gives the total and every breakdown at
once, and ``percentile_cont`` interpolates as ``figures.percentile`` does. SQLite has
neither, so there the rows are read and the pure functions run (a small council's cases
fit in memory); a test holds both to the direct computation from the cases.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet

from ventanilla.insights import figures as F
from ventanilla.insights.models import CaseFigures

#: dimension -> CaseFigures column
COLUMNS: dict[str, str] = {
    "department": "department_id",
    "category": "category_id",
    "channel": "channel",
    "district": "district_id",
    "agent": "assignee_id",
}
_NOT_TO_RESOLVE = tuple(sorted(str(s) for s in F.NOT_TO_RESOLVE))


def available() -> bool:
    return connection.vendor == "postgresql"


def _inner(rows: QuerySet[CaseFigures], columns: list[str]) -> tuple[str, tuple[Any, ...]]:
    sql, params = rows.values(*columns).order_by().query.sql_with_params()
    return sql, tuple(params)


def _key(value: Any) -> str:
    return "" if value is None else str(value)


def figures(
    rows: QuerySet[CaseFigures], resolved: QuerySet[CaseFigures], *, now: dt.datetime
) -> tuple[F.Figures, dict[str, dict[str, F.Figures]]]:
    """Return (the total, {dimension: {key: figures}}) of the cases received in ``rows``.

    ``resolved`` are the cases resolved in the period (the "out" volume).
    """
    dims = list(COLUMNS.values())
    inner, params = _inner(
        rows,
        [
            *dims,
            "status",
            "resolved_at",
            "due_at",
            "reopened",
            "satisfaction",
            "first_response_hours",
            "resolution_days",
        ],
    )
    placeholders = ", ".join(["%s"] * len(_NOT_TO_RESOLVE))
    grouping = ", ".join(f"GROUPING({c})" for c in dims)
    sets = ", ".join(["()", *(f"({c})" for c in dims)])
    sql = f"""
        SELECT {grouping}, {", ".join(dims)},
            count(*),
            count(*) FILTER (WHERE status NOT IN ({placeholders})
                AND (resolved_at IS NOT NULL OR due_at < %s)),
            count(*) FILTER (WHERE status NOT IN ({placeholders})
                AND resolved_at IS NOT NULL AND resolved_at <= due_at),
            count(*) FILTER (WHERE resolved_at IS NOT NULL OR reopened),
            count(*) FILTER (WHERE reopened),
            count(first_response_hours),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_hours),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_hours),
            count(resolution_days),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_days),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_days),
            count(*) FILTER (WHERE satisfaction = 1),
            count(*) FILTER (WHERE satisfaction = 2),
            count(*) FILTER (WHERE satisfaction = 3),
            count(*) FILTER (WHERE satisfaction = 4),
            count(*) FILTER (WHERE satisfaction = 5)
        FROM ({inner}) AS cases
        GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608 - only our own column names and placeholders are interpolated
    out_counts = _resolved_counts(resolved)
    with connection.cursor() as cursor:
        cursor.execute(sql, (*_NOT_TO_RESOLVE, now, *_NOT_TO_RESOLVE, *params))
        result = cursor.fetchall()
    total = F.summarise([], now=now, resolved_in_period=out_counts.get(None, {}).get("", 0))
    per: dict[str, dict[str, F.Figures]] = defaultdict(dict)
    n = len(dims)
    for row in result:
        flags, keys, values = row[:n], row[n : 2 * n], row[2 * n :]
        dimension = None
        key = ""
        for i, flag in enumerate(flags):
            if flag == 0:
                dimension, key = list(COLUMNS)[i], _key(keys[i])
        out = out_counts.get(dimension, {}).get(key, 0)
        built = _figures(values, resolved=out)
        if dimension is None:
            total = built
        else:
            per[dimension][key] = built
    for dimension, counts in out_counts.items():
        if dimension is None:
            continue
        for key, n_out in counts.items():
            per[dimension].setdefault(key, F.summarise([], now=now, resolved_in_period=n_out))
    return total, {d: dict(sorted(per[d].items())) for d in COLUMNS}


def _figures(values: tuple[Any, ...], *, resolved: int) -> F.Figures:
    (received, counted, on_time, ever, reopened, fr_n, fr_m, fr_p, rd_n, rd_m, rd_p) = values[:11]
    ratings = values[11:]
    return F.Figures(
        received=received,
        resolved=resolved,
        first_response_hours=F.Durations.make(fr_n, fr_m, fr_p),
        resolution_days=F.Durations.make(rd_n, rd_m, rd_p),
        deadline_counted=counted,
        on_time=on_time,
        ever_resolved=ever,
        reopened=reopened,
        satisfaction={score: ratings[score - 1] for score in range(1, 6)},
    )


def _resolved_counts(resolved: QuerySet[CaseFigures]) -> dict[str | None, dict[str, int]]:
    dims = list(COLUMNS.values())
    inner, params = _inner(resolved, dims)
    grouping = ", ".join(f"GROUPING({c})" for c in dims)
    sets = ", ".join(["()", *(f"({c})" for c in dims)])
    sql = f"""
        SELECT {grouping}, {", ".join(dims)}, count(*)
        FROM ({inner}) AS cases GROUP BY GROUPING SETS ({sets})
    """  # noqa: S608 - only our own column names are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    out: dict[str | None, dict[str, int]] = defaultdict(dict)
    n = len(dims)
    for row in result:
        flags, keys, count = row[:n], row[n : 2 * n], row[-1]
        dimension: str | None = None
        key = ""
        for i, flag in enumerate(flags):
            if flag == 0:
                dimension, key = list(COLUMNS)[i], _key(keys[i])
        out[dimension][key] = count
    return out


def total(
    rows: QuerySet[CaseFigures], resolved: QuerySet[CaseFigures], *, now: dt.datetime
) -> F.Figures:
    """Return the figures of the cases received in ``rows`` (no breakdown)."""
    inner, params = _inner(
        rows,
        [
            "status",
            "resolved_at",
            "due_at",
            "reopened",
            "satisfaction",
            "first_response_hours",
            "resolution_days",
        ],
    )
    placeholders = ", ".join(["%s"] * len(_NOT_TO_RESOLVE))
    sql = f"""
        SELECT count(*),
            count(*) FILTER (WHERE status NOT IN ({placeholders})
                AND (resolved_at IS NOT NULL OR due_at < %s)),
            count(*) FILTER (WHERE status NOT IN ({placeholders})
                AND resolved_at IS NOT NULL AND resolved_at <= due_at),
            count(*) FILTER (WHERE resolved_at IS NOT NULL OR reopened),
            count(*) FILTER (WHERE reopened),
            count(first_response_hours),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_hours),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY first_response_hours),
            count(resolution_days),
            percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution_days),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY resolution_days),
            count(*) FILTER (WHERE satisfaction = 1),
            count(*) FILTER (WHERE satisfaction = 2),
            count(*) FILTER (WHERE satisfaction = 3),
            count(*) FILTER (WHERE satisfaction = 4),
            count(*) FILTER (WHERE satisfaction = 5)
        FROM ({inner}) AS cases
    """  # noqa: S608 - only placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, (*_NOT_TO_RESOLVE, now, *_NOT_TO_RESOLVE, *params))
        row = cursor.fetchone()
    assert row is not None
    return _figures(tuple(row), resolved=resolved.count())


def volumes(
    rows: QuerySet[CaseFigures],
    resolved: QuerySet[CaseFigures],
    *,
    start: dt.date,
    end: dt.date,
    granularity: F.Granularity,
) -> list[F.Point]:
    """Return the cases received and resolved per bucket, counted per day in the database."""
    came: dict[dt.date, int] = defaultdict(int)
    went: dict[dt.date, int] = defaultdict(int)
    for day, n in rows.values_list("day").annotate(n=Count("pk")).order_by():
        came[F.bucket(day, granularity)] += n
    for day, n in resolved.values_list("resolved_day").annotate(n=Count("pk")).order_by():
        went[F.bucket(day, granularity)] += n
    return [F.Point(b, came.get(b, 0), went.get(b, 0)) for b in F.buckets(start, end, granularity)]


def backlog(open_rows: QuerySet[CaseFigures], *, now: dt.datetime, oldest: int) -> F.Backlog:
    """Return the backlog of ``open_rows`` (cases in an open status)."""
    inner, params = _inner(open_rows, ["created_at", "due_at"])
    bands = []
    band_params: list[Any] = []
    for _label, low, high in F.AGE_BANDS:
        condition = "created_at <= %s"
        band_params.append(now - dt.timedelta(days=low))
        if high is not None:
            condition += " AND created_at > %s"
            band_params.append(now - dt.timedelta(days=high + 1))
        bands.append(f"count(*) FILTER (WHERE {condition})")
    sql = f"""
        SELECT count(*), count(*) FILTER (WHERE due_at < %s), {", ".join(bands)},
            percentile_cont(0.5) WITHIN GROUP (
                ORDER BY floor(extract(epoch FROM (%s - created_at)) / 86400))
        FROM ({inner}) AS cases
    """  # noqa: S608 - only our own conditions and placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, (now, *band_params, now, *params))
        row = cursor.fetchone()
    assert row is not None
    first = open_rows.order_by("created_at", "reference").values_list("reference", "created_at")
    return F.Backlog(
        open=row[0],
        overdue=row[1],
        ages={label: row[2 + i] for i, (label, _, _) in enumerate(F.AGE_BANDS)},
        median_age_days=None if row[-1] is None else round(float(row[-1]), 6),
        oldest=[(reference, (now - created).days) for reference, created in first[:oldest]],
    )
