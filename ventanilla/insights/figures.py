"""The figures a council is accountable for, as pure functions over the facts of its cases.

Nothing here reads the database: ``selectors`` gathers :class:`CaseFacts` (directly from
the cases, or from the daily rollup), and the dashboard, the API, the CSV and XLSX
exports, the PDF report and the portal's public page all show what these functions return.

Definitions (also on the dashboard):

- received: cases opened in the period; resolved ("out"): cases resolved in the period,
  whenever they were opened;
- time to first response, in working hours (office hours on working days), because the
  first-response deadline of a category is set in working hours;
- time to resolution, in working days (whole days that are neither weekend nor holiday),
  because the resolution deadline of a category is set in working days; both times are
  counted to the nearest whole minute of working time;
- on time: of the cases received that were resolved, or whose deadline has passed
  unresolved (rejected and duplicate cases aside), the share resolved by their deadline;
- reopened: of the cases received that were ever resolved, the share reopened at least once;
- backlog: the cases open now, with their age in calendar days;
- satisfaction: the residents' ratings from 1 to 5 (distribution and mean).

Medians and 90th percentiles interpolate linearly between ranks, as PostgreSQL's
``percentile_cont`` does.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal
from zoneinfo import ZoneInfo

from ventanilla.cases.deadlines import is_working_day
from ventanilla.cases.workflow import OPEN_STATUSES, Status

NOT_TO_RESOLVE = frozenset({Status.REJECTED, Status.DUPLICATE})
Dimension = Literal["department", "category", "channel", "district", "agent"]
DIMENSIONS: tuple[Dimension, ...] = ("department", "category", "channel", "district", "agent")
Granularity = Literal["day", "week", "month"]
#: backlog age bands in calendar days: (label key, lowest age, highest age or None)
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-30", 8, 30),
    ("31-90", 31, 90),
    ("91+", 91, None),
)


@dataclass(frozen=True)
class Calendar:
    """A council's working time: its time zone, holidays and office hours."""

    tz: ZoneInfo
    holidays: Container[dt.date] = frozenset()
    opens: dt.time = dt.time(9, 0)
    closes: dt.time = dt.time(14, 0)

    def working_day(self, day: dt.date) -> bool:
        return is_working_day(day, self.holidays)


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def working_hours_between(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> float:
    """Return the office hours on working days between ``start`` and ``end`` (0 if reversed)."""
    if end <= start:
        return 0.0
    tz = calendar.tz
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    seconds = 0.0
    for day in _days(local_start.date(), local_end.date()):
        if not calendar.working_day(day):
            continue
        opens = dt.datetime.combine(day, calendar.opens, tzinfo=tz)
        closes = dt.datetime.combine(day, calendar.closes, tzinfo=tz)
        overlap = min(closes, local_end) - max(opens, local_start)
        seconds += max(overlap.total_seconds(), 0.0)
    return seconds / 3600


def working_days_between(start: dt.datetime, end: dt.datetime, calendar: Calendar) -> float:
    """Return the time between ``start`` and ``end`` in days, leaving out non-working days."""
    if end <= start:
        return 0.0
    tz = calendar.tz
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    seconds = 0.0
    for day in _days(local_start.date(), local_end.date()):
        if not calendar.working_day(day):
            continue
        begins = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
        ends = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
        overlap = min(ends, local_end) - max(begins, local_start)
        seconds += max(overlap.total_seconds(), 0.0)
    return seconds / 86400


def working_days_ago(now: dt.datetime, days: int, calendar: Calendar) -> dt.datetime:
    """Return the moment M such that ``working_days_between(c, now) > days`` when ``c < M``.

    Counts back from ``now`` as :func:`working_days_between` counts forward (wall-clock
    time of the council's working days), so that a database can compare ``created_at``
    with one moment instead of working the time out case by case.
    """
    tz = calendar.tz
    local_now = now.astimezone(tz).replace(tzinfo=None)
    remaining = dt.timedelta(days=days)
    day = local_now.date()
    while True:
        if calendar.working_day(day):
            begins = dt.datetime.combine(day, dt.time(0, 0))
            ends = min(begins + dt.timedelta(days=1), local_now)
            length = max(ends - begins, dt.timedelta(0))
            if length >= remaining:
                moment = ends - remaining
                break
            remaining -= length
        day -= dt.timedelta(days=1)
    if moment == dt.datetime.combine(moment.date(), dt.time(0, 0)):
        # days off just before: a case received then has had exactly ``days``, no more
        while not calendar.working_day(moment.date() - dt.timedelta(days=1)):
            moment -= dt.timedelta(days=1)
    return moment.replace(tzinfo=tz)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Return the ``fraction`` percentile of ``values`` by linear interpolation, or None."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def percentile_of_counts(counts: Sequence[tuple[float, int]], fraction: float) -> float | None:
    """Return :func:`percentile` of the values given as (value, how many), sorted by value."""
    total = sum(n for _, n in counts)
    if not total:
        return None
    rank = fraction * (total - 1)
    low = math.floor(rank)
    high = min(low + 1, total - 1)
    found: dict[int, float] = {}
    seen = 0
    for value, n in counts:
        for index in (low, high):
            if index not in found and index < seen + n:
                found[index] = value
        seen += n
    return found[low] + (found[high] - found[low]) * (rank - low)


@dataclass(frozen=True)
class CaseFacts:
    """What the figures need of one case, and nothing personal."""

    reference: str
    department_id: int
    category_id: int
    status: str
    created_at: dt.datetime
    due_at: dt.datetime
    channel: str = ""
    district_id: int | None = None
    assignee_id: int | None = None
    first_responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    reopened: bool = False
    satisfaction: int | None = None
    satisfaction_comment: str = ""
    public_category: bool = True
    #: working time, filled by :func:`with_working_time` (hours and days)
    first_response_hours: float | None = None
    resolution_days: float | None = None

    def key(self, dimension: Dimension) -> str:
        value = {
            "department": self.department_id,
            "category": self.category_id,
            "channel": self.channel,
            "district": self.district_id,
            "agent": self.assignee_id,
        }[dimension]
        return "" if value is None else str(value)


def to_minute(value: float, minutes_per_unit: int) -> float:
    """Return ``value`` (hours or days) rounded to a whole minute."""
    return round(value * minutes_per_unit) / minutes_per_unit


def with_working_time(fact: CaseFacts, calendar: Calendar) -> CaseFacts:
    """Return ``fact`` with its times to first response and to resolution in working time.

    Both are rounded to whole minutes of working time: the dashboard's summary tables
    count cases per minute, so that medians and percentiles come from small sums.
    """
    return replace(
        fact,
        first_response_hours=(
            to_minute(working_hours_between(fact.created_at, fact.first_responded_at, calendar), 60)
            if fact.first_responded_at
            else None
        ),
        resolution_days=(
            to_minute(working_days_between(fact.created_at, fact.resolved_at, calendar), 1440)
            if fact.resolved_at
            else None
        ),
    )


@dataclass(frozen=True)
class Durations:
    count: int = 0
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> Durations:
        return cls.make(len(values), percentile(values, 0.5), percentile(values, 0.9))

    @classmethod
    def make(cls, count: int, median: float | None, p90: float | None) -> Durations:
        """Return durations rounded to a millionth (so every way of computing them agrees)."""
        return cls(count, _round(median), _round(p90))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


@dataclass(frozen=True)
class Figures:
    """The figures of a set of cases received in a period."""

    received: int = 0
    resolved: int = 0
    first_response_hours: Durations = field(default_factory=Durations)
    resolution_days: Durations = field(default_factory=Durations)
    deadline_counted: int = 0
    on_time: int = 0
    ever_resolved: int = 0
    reopened: int = 0
    #: ratings 1 to 5 -> how many
    satisfaction: dict[int, int] = field(default_factory=dict)

    @property
    def on_time_share(self) -> float | None:
        return self.on_time / self.deadline_counted if self.deadline_counted else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.ever_resolved if self.ever_resolved else None

    @property
    def satisfaction_count(self) -> int:
        return sum(self.satisfaction.values())

    @property
    def satisfaction_average(self) -> float | None:
        count = self.satisfaction_count
        if not count:
            return None
        return sum(score * n for score, n in self.satisfaction.items()) / count


def summarise(
    received: Iterable[CaseFacts], *, now: dt.datetime, resolved_in_period: int | None = None
) -> Figures:
    """Return the figures of the cases ``received`` as they stand at ``now``.

    ``resolved_in_period`` is the "out" volume (cases resolved in the period, whenever they
    were received); by default the received cases that are resolved.
    """
    received = list(received)
    first = [f.first_response_hours for f in received if f.first_response_hours is not None]
    resolution = [f.resolution_days for f in received if f.resolution_days is not None]
    counted = on_time = 0
    for f in received:
        if f.status in NOT_TO_RESOLVE:
            continue
        if f.resolved_at is not None:
            counted += 1
            on_time += f.resolved_at <= f.due_at
        elif f.due_at < now:
            counted += 1
    ever_resolved = [f for f in received if f.resolved_at is not None or f.reopened]
    ratings = Counter(f.satisfaction for f in received if f.satisfaction is not None)
    return Figures(
        received=len(received),
        resolved=(
            resolved_in_period
            if resolved_in_period is not None
            else sum(f.resolved_at is not None for f in received)
        ),
        first_response_hours=Durations.of(first),
        resolution_days=Durations.of(resolution),
        deadline_counted=counted,
        on_time=on_time,
        ever_resolved=len(ever_resolved),
        reopened=sum(f.reopened for f in ever_resolved),
        satisfaction={score: ratings.get(score, 0) for score in range(1, 6)},
    )


@dataclass(frozen=True)
class Backlog:
    """The cases open now and how old they are."""

    open: int = 0
    overdue: int = 0
    median_age_days: float | None = None
    #: AGE_BANDS label -> how many
    ages: dict[str, int] = field(default_factory=dict)
    #: the oldest open cases: (reference, age in days), oldest first
    oldest: list[tuple[str, int]] = field(default_factory=list)


def backlog(open_cases: Iterable[CaseFacts], *, now: dt.datetime, oldest: int = 10) -> Backlog:
    """Return the backlog of ``open_cases`` (their age in whole calendar days at ``now``)."""
    cases = [f for f in open_cases if f.status in OPEN_STATUSES]
    cases.sort(key=lambda f: (f.created_at, f.reference))
    ages = [(f.reference, (now - f.created_at).days) for f in cases]
    bands = dict.fromkeys((label for label, _, _ in AGE_BANDS), 0)
    for _, age in ages:
        for label, low, high in AGE_BANDS:
            if age >= low and (high is None or age <= high):
                bands[label] += 1
                break
    return Backlog(
        open=len(cases),
        overdue=sum(f.due_at < now for f in cases),
        median_age_days=_round(percentile([float(age) for _, age in ages], 0.5)),
        ages=bands,
        oldest=ages[:oldest],
    )


def breakdown(
    received: Iterable[CaseFacts],
    dimension: Dimension,
    *,
    now: dt.datetime,
    resolved: Iterable[CaseFacts] = (),
) -> dict[str, Figures]:
    """Return the figures of ``received`` per key of ``dimension`` ("" for none)."""
    groups: dict[str, list[CaseFacts]] = defaultdict(list)
    for fact in received:
        groups[fact.key(dimension)].append(fact)
    out: Counter[str] = Counter(fact.key(dimension) for fact in resolved)
    keys = sorted(set(groups) | set(out))
    return {
        key: summarise(groups.get(key, []), now=now, resolved_in_period=out.get(key, 0))
        for key in keys
    }


def bucket(day: dt.date, granularity: Granularity) -> dt.date:
    """Return the first day of the day, ISO week or month that holds ``day``."""
    if granularity == "day":
        return day
    if granularity == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets(start: dt.date, end: dt.date, granularity: Granularity) -> list[dt.date]:
    """Return every bucket from ``start`` to ``end``, in order."""
    seen: list[dt.date] = []
    for day in _days(start, end):
        first = bucket(day, granularity)
        if not seen or seen[-1] != first:
            seen.append(first)
    return seen


@dataclass(frozen=True)
class Point:
    start: dt.date
    received: int
    resolved: int


def volumes(
    received: Iterable[CaseFacts],
    resolved: Iterable[CaseFacts],
    *,
    start: dt.date,
    end: dt.date,
    tz: ZoneInfo,
    granularity: Granularity,
) -> list[Point]:
    """Return how many cases came in and how many were resolved per bucket of the period."""

    def local(moment: dt.datetime) -> dt.date:
        return moment.astimezone(tz).date()

    came = Counter(bucket(local(f.created_at), granularity) for f in received)
    went = Counter(
        bucket(local(f.resolved_at), granularity) for f in resolved if f.resolved_at is not None
    )
    return [Point(b, came.get(b, 0), went.get(b, 0)) for b in buckets(start, end, granularity)]


def default_granularity(start: dt.date, end: dt.date) -> Granularity:
    """Return days for a month or less, weeks up to a quarter, months beyond."""
    length = (end - start).days + 1
    if length <= 31:
        return "day"
    if length <= 92:
        return "week"
    return "month"


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """Return the period of the same length just before ``start`` (whole months stay months)."""
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        year, month = divmod(start.year * 12 + start.month - 1 - months, 12)
        prev_start = dt.date(year, month + 1, 1)
        return prev_start, start - dt.timedelta(days=1)
    length = end - start
    prev_end = start - dt.timedelta(days=1)
    return prev_end - length, prev_end


def change(current: float | None, previous: float | None) -> float | None:
    """Return ``current - previous``, or None when either is unknown."""
    if current is None or previous is None:
        return None
    return current - previous
