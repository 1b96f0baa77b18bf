"""The figures read from the summary tallies, for councils with millions of cases.

The same definitions as ``figures.summarise`` (a test holds both to the direct computation
from the cases). A period is read as its whole years, months and weeks (``Tally`` and
``DurationTally`` rows of those grains) and the days left at its edges (rows of day
grain); only "on time" depends on the moment of reading (a deadline passing makes an open
case late), so the open cases past their deadline are counted from ``CaseFigures``
through a small partial index. Medians and 90th percentiles interpolate between ranks as
``figures.percentile`` (and PostgreSQL's ``percentile_cont``) do, over the per-minute
counts, with a window function that both PostgreSQL and SQLite run. The backlog is read
from ``BacklogTally`` (see :func:`backlog`).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.core.models import Council
from ventanilla.insights import figures as F
from ventanilla.insights import tallies
from ventanilla.insights.models import BacklogTally, CaseFigures, DurationTally, Tally
from ventanilla.insights.tallies import COUNTS, STORED

_NOT_TO_RESOLVE = tuple(sorted(str(s) for s in F.NOT_TO_RESOLVE))
#: dimension -> CaseFigures column
COLUMNS: dict[str, str] = {
    "department": "department_id",
    "category": "category_id",
    "channel": "channel",
    "district": "district_id",
    "agent": "assignee_id",
}
#: measure -> minutes per unit (hours, days)
MEASURES = {"first": 60, "resolution": 1440}
Departments = Sequence[int] | None


Piece = tuple[str, dt.date, dt.date]  # grain, first day, last day
#: the grains a period is read in, coarsest first
ALL_GRAINS = ("year", "month", "week", "day")


def _units(grain: str, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Return the whole years, months or weeks that lie in ``start``..``end``."""
    units = []
    if grain == "week":
        first = start + dt.timedelta(days=-start.weekday() % 7)
        while first + dt.timedelta(days=6) <= end:
            units.append((first, first + dt.timedelta(days=6)))
            first += dt.timedelta(days=7)
        return units
    first = start.replace(day=1) if grain == "month" else start.replace(month=1, day=1)
    if first < start:
        first = (first + dt.timedelta(days=32 if grain == "month" else 366)).replace(day=1)
        if grain == "year":
            first = first.replace(month=1)
    while True:
        if grain == "month":
            following = (first + dt.timedelta(days=32)).replace(day=1)
        else:
            following = first.replace(year=first.year + 1)
        if following - dt.timedelta(days=1) > end:
            return units
        units.append((first, following - dt.timedelta(days=1)))
        first = following


def split(start: dt.date, end: dt.date, grains: Sequence[str] = ALL_GRAINS) -> list[Piece]:
    """Return ``start``..``end`` as the fewest tally rows' periods: whole years, months, weeks
    (of ``grains``, coarsest first), then the days left at the edges."""
    if start > end:
        return []
    if grains[0] == "day":
        return [("day", start, end)]
    units = _units(grains[0], start, end)
    if not units:
        return split(start, end, grains[1:])
    return [
        *split(start, units[0][0] - dt.timedelta(days=1), grains[1:]),
        *((grains[0], low, high) for low, high in units),
        *split(units[-1][1] + dt.timedelta(days=1), end, grains[1:]),
    ]


def grains_q(start: dt.date, end: dt.date, grains: Sequence[str] = ALL_GRAINS) -> Q:
    """Return the filter of the tally rows of the period (``grains``, coarsest first)."""
    q = Q(pk__in=[])
    starts: dict[str, list[dt.date]] = defaultdict(list)
    for grain, low, high in split(start, end, grains):
        if grain == "day":
            q |= Q(grain=grain, start__gte=low, start__lte=high)
        else:
            starts[grain].append(low)
    for grain, firsts in starts.items():
        q |= Q(grain=grain, start__in=firsts)
    return q


def _key(value: Any) -> str:
    return "" if value is None else str(value)


class _Sums:
    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(COUNTS))
        self.late: dict[tuple[str, str], int] = defaultdict(int)
        self.durations: dict[tuple[str, str, str], F.Durations] = {}


def _counts(
    sums: _Sums,
    council: Council,
    departments: Departments,
    start: dt.date,
    end: dt.date,
    *,
    breakdown: bool,
    now: dt.datetime,
) -> None:
    rows = Tally.objects.filter(grains_q(start, end), council=council)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    if not breakdown:
        rows = rows.filter(dimension="total")
    for department, dimension, key, *values in (
        rows.values_list("department_id", "dimension", "key")
        .annotate(*(Sum(c) for c in COUNTS))
        .order_by()
    ):
        targets = [(dimension, key)]
        if dimension == "total":
            targets = [("total", "")]
            if breakdown:
                targets.append(("department", str(department)))
        for target in targets:
            counts = sums.counts[target]
            for i, value in enumerate(values):
                counts[i] += value or 0
    # open cases received in the period whose deadline has passed count for "on time"
    late = CaseFigures.objects.filter(
        council=council,
        day__gte=start,
        day__lte=end,
        resolved_at__isnull=True,
        due_at__lt=now,
    ).exclude(status__in=_NOT_TO_RESOLVE)
    if departments is not None:
        late = late.filter(department_id__in=departments)
    if not breakdown:
        sums.late[("total", "")] += late.count()
        return
    for *keys, n in late.values_list(*COLUMNS.values()).annotate(n=Count("*")).order_by():
        sums.late[("total", "")] += n
        for dimension, value in zip(COLUMNS, keys, strict=True):
            sums.late[(dimension, _key(value))] += n


def _grains_sql(start: dt.date, end: dt.date) -> tuple[str, list[Any]]:
    """Return the SQL condition (and its parameters) of the tally rows of the period."""
    conditions: list[str] = []
    params: list[Any] = []
    starts: dict[str, list[dt.date]] = defaultdict(list)
    for grain, low, high in split(start, end):
        if grain == "day":
            conditions.append("(grain = 'day' AND start >= %s AND start <= %s)")
            params += [low, high]
        else:
            starts[grain].append(low)
    for grain, days in starts.items():
        conditions.append(f"(grain = %s AND start IN ({', '.join(['%s'] * len(days))}))")
        params += [grain, *days]
    return "(" + (" OR ".join(conditions) or "1 = 0") + ")", params


def _durations(
    sums: _Sums,
    council: Council,
    departments: Departments,
    start: dt.date,
    end: dt.date,
    *,
    breakdown: bool,
) -> None:
    dims = ["total", *COLUMNS] if breakdown else ["total"]
    in_period, period_params = _grains_sql(start, end)
    in_departments = ""
    if departments is not None:
        in_departments = (
            f"AND department_id IN ({', '.join(['%s'] * len(departments))})"
            if departments
            else "AND 1 = 0"
        )
    table = DurationTally._meta.db_table
    stored = [d for d in dims if d in STORED]
    # the department rows are the total rows of each department: read once, used twice
    by_department = (
        """UNION ALL SELECT 'department', CAST(department_id AS TEXT), measure, value, n
        FROM base WHERE dimension = 'total'"""
        if breakdown
        else ""
    )
    params: list[Any] = [council.pk, *period_params, *(departments or []), *stored]
    sql = f"""
        WITH base AS (
            SELECT department_id, dimension, key AS k, measure, value, n FROM {table}
            WHERE council_id = %s AND {in_period} {in_departments}
                AND measure IN ('first', 'resolution')
                AND dimension IN ({", ".join(["%s"] * len(stored))})
        ), grouped AS (
            SELECT dimension, k, measure, value, SUM(n) AS n
            FROM (
                SELECT dimension, k, measure, value, n FROM base {by_department}
            ) AS parts
            GROUP BY dimension, k, measure, value
            HAVING SUM(n) > 0
        ), ranked AS (
            SELECT dimension, k, measure, value,
                SUM(n) OVER (PARTITION BY dimension, k, measure ORDER BY value
                             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS below,
                SUM(n) OVER (PARTITION BY dimension, k, measure) AS total
            FROM grouped
        )
        SELECT dimension, k, measure, total,
            MIN(CASE WHEN below > (total - 1) * 5 / 10 THEN value END),
            MIN(CASE WHEN below > (total - 1) * 5 / 10 + 1 THEN value END),
            MIN(CASE WHEN below > (total - 1) * 9 / 10 THEN value END),
            MIN(CASE WHEN below > (total - 1) * 9 / 10 + 1 THEN value END)
        FROM ranked GROUP BY dimension, k, measure, total
    """  # noqa: S608 - only our own names, literals and placeholders are interpolated
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    for dimension, key, measure, total, m_low, m_high, p_low, p_high in result:
        unit = MEASURES[measure]
        total = int(total)
        sums.durations[(dimension, key, measure)] = F.Durations.make(
            total,
            _interpolate(total, 0.5, m_low, m_high, unit),
            _interpolate(total, 0.9, p_low, p_high, unit),
        )


def _interpolate(total: int, fraction: float, low: int, high: int | None, unit: int) -> float:
    """Return the percentile as ``figures.percentile`` works it out from the sorted values."""
    rank = fraction * (total - 1)
    below = low / unit
    above = (high if high is not None else low) / unit
    return below + (above - below) * (rank - int(rank))


def _figures(sums: _Sums, target: tuple[str, str]) -> F.Figures:
    counts = sums.counts.get(target, [0] * len(COUNTS))
    none = F.Durations()
    return F.Figures(
        received=counts[0],
        resolved=counts[1],
        first_response_hours=sums.durations.get((*target, "first"), none),
        resolution_days=sums.durations.get((*target, "resolution"), none),
        deadline_counted=counts[2] + sums.late.get(target, 0),
        on_time=counts[3],
        ever_resolved=counts[4],
        reopened=counts[5],
        satisfaction={score: counts[5 + score] for score in range(1, 6)},
    )


def read(
    council: Council,
    departments: Departments,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime,
    breakdown: bool = True,
) -> tuple[F.Figures, dict[str, dict[str, F.Figures]]]:
    """Return (the total, {dimension: {key: figures}}) of ``council``'s cases in the period.

    ``departments`` None is every department; ``breakdown`` False reads the total only.
    """
    sums = _Sums()
    _counts(sums, council, departments, start, end, breakdown=breakdown, now=now)
    _durations(sums, council, departments, start, end, breakdown=breakdown)
    per: dict[str, dict[str, F.Figures]] = {d: {} for d in COLUMNS}
    keys = {k for k, v in sums.counts.items() if v[0] or v[1]}
    for dimension, key in sorted(keys):
        if dimension != "total":
            per[dimension][key] = _figures(sums, (dimension, key))
    return _figures(sums, ("total", "")), per


def volumes(
    council: Council,
    departments: Departments,
    *,
    start: dt.date,
    end: dt.date,
    granularity: F.Granularity,
) -> list[F.Point]:
    """Return the cases received and resolved per bucket, from the tallies of its grain."""
    grains = ("day",) if granularity == "day" else (granularity, "day")
    rows = Tally.objects.filter(grains_q(start, end, grains), council=council, dimension="total")
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    came: dict[dt.date, int] = defaultdict(int)
    went: dict[dt.date, int] = defaultdict(int)
    for day, received, resolved in (
        rows.values_list("start").annotate(Sum("received"), Sum("resolved")).order_by()
    ):
        came[F.bucket(day, granularity)] += received or 0
        went[F.bucket(day, granularity)] += resolved or 0
    return [F.Point(b, came.get(b, 0), went.get(b, 0)) for b in F.buckets(start, end, granularity)]


def _open_rows(council: Council, departments: Departments) -> QuerySet[CaseFigures]:
    rows = CaseFigures.objects.filter(council=council, status__in=sorted(OPEN_STATUSES))
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    return rows


def backlog(
    council: Council, departments: Departments, *, now: dt.datetime, oldest: int
) -> F.Backlog:
    """Return the backlog: the cases open now, counted per age in whole days of 24 hours.

    Read from ``BacklogTally`` (open cases per UTC day they came in or fall due). A case
    that came in on UTC day D is ``today - D`` days old, or one day less if it came in
    later in its day than the time of day now; so the cases younger than k + 1 days are
    those of the days after ``today - k - 1`` and, of that day, those that came in after
    ``now - (k + 1) days``. Only those parts of a few days (the age bands' edges and the
    median's ranks) are counted from ``CaseFigures``, through the partial index of open
    cases; likewise the cases that fall due today before now.
    """
    today = tallies.utc_day(now)
    midnight = dt.datetime.combine(today, dt.time(0, 0), tzinfo=dt.UTC)
    rows = BacklogTally.objects.filter(council=council).exclude(n=0)
    if departments is not None:
        rows = rows.filter(department_id__in=departments)
    created: dict[dt.date, int] = defaultdict(int)
    overdue = 0
    for kind, day, n in rows.values_list("kind", "day").annotate(Sum("n")).order_by():
        if kind == BacklogTally.Kind.CREATED:
            created[day] += n
        elif day < today:
            overdue += n
    open_rows = _open_rows(council, departments)
    if created:
        overdue += open_rows.filter(due_at__gte=midnight, due_at__lt=now).count()
    days = sorted((day for day, n in created.items() if n), reverse=True)
    total = sum(created[day] for day in days)

    def after(day: dt.date) -> Q:
        """The cases of ``day`` that came in later in the day than the time now."""
        return Q(
            created_at__gt=now - dt.timedelta(days=(today - day).days),
            created_at__lt=dt.datetime.combine(
                day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=dt.UTC
            ),
        )

    def before(day: dt.date) -> int:
        """Return how many cases came in on the days after ``day``."""
        return sum(created[d] for d in days if d > day)

    # the age of rank r is k0 (its day's) or one less: k0 - 1 when the cases younger than
    # k0 days (the days after and the late part of its day) are more than r
    ranks: list[tuple[int, dt.date]] = []
    median_at = 0.5 * (total - 1)
    low = int(median_at)
    for rank in (low, min(low + 1, total - 1)) if total else ():
        seen = 0
        for day in days:
            seen += created[day]
            if seen > rank:
                ranks.append((rank, day))
                break
    edges = [today, *(today - dt.timedelta(days=high + 1) for high in _HIGHS)]
    wanted = sorted({*edges, *(day for _, day in ranks)}) if total else []
    late_parts: dict[dt.date, int] = {}
    if wanted:
        parts = [after(day) for day in wanted]
        counted = open_rows.filter(functools.reduce(operator.or_, parts)).aggregate(
            **{
                f"d{day:%Y%m%d}": Count("pk", filter=part)
                for day, part in zip(wanted, parts, strict=True)
            }
        )
        late_parts = {day: counted[f"d{day:%Y%m%d}"] for day in wanted}

    def younger(k: int) -> int:
        """Return how many cases are at most ``k`` days old (k >= -1)."""
        if not total:
            return 0
        day = today - dt.timedelta(days=k + 1)
        return before(day) + late_parts[day]

    ages: dict[str, int] = {}
    below = younger(-1)
    for label, _low, high in F.AGE_BANDS:
        up_to = younger(high) if high is not None else total
        ages[label] = up_to - below
        below = up_to
    at_rank = []
    for rank, day in ranks:
        k0 = (today - day).days
        at_rank.append(k0 - 1 if before(day) + late_parts[day] > rank else k0)
    median = None
    if at_rank:
        median = at_rank[0] + (at_rank[-1] - at_rank[0]) * (median_at - low)
    first = open_rows.order_by("created_at", "reference").values_list("reference", "created_at")
    return F.Backlog(
        open=total,
        overdue=overdue,
        ages=ages,
        median_age_days=None if median is None else round(median, 6),
        oldest=[(reference, (now - created).days) for reference, created in first[:oldest]],
    )


#: the oldest age of each band but the last
_HIGHS = [high for _, _, high in F.AGE_BANDS if high is not None]
