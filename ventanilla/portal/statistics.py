"""Public statistics per department and category for a period.

The figures count every case received in the period, private ones included, so that a
private channel never makes work disappear from the numbers; no private case is shown,
and private categories appear only summed into one row. Definitions (also on the page):

- received: cases opened in the period;
- median time to first response: over the cases that had a first answer;
- median time to resolution: over the cases that were resolved (resolved or closed);
- resolved within the deadline: of the cases that were resolved, or whose deadline has
  passed unresolved (rejected and duplicate cases aside), the share resolved by their
  deadline;
- satisfaction: the mean of the residents' ratings (1 to 5), with how many rated;
- published: the share of the cases received that are on the public record now.
"""

from __future__ import annotations

import datetime as dt
import statistics as pystats
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext

from ventanilla.cases.models import Case, Category, Department
from ventanilla.cases.workflow import Status
from ventanilla.core.models import Council
from ventanilla.insights.figures import percentile
from ventanilla.portal.models import PublicRecord

#: the key of the row that sums every category whose cases are not public
PRIVATE_CATEGORIES = "private"
_NOT_TO_RESOLVE = frozenset({Status.REJECTED, Status.DUPLICATE})


@dataclass(frozen=True)
class CaseFacts:
    """What the statistics need of one case, and nothing else."""

    department_id: int
    category_id: int
    public_category: bool
    status: str
    created_at: dt.datetime
    due_at: dt.datetime
    first_responded_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    satisfaction: int | None = None
    published: bool = False


@dataclass(frozen=True)
class Figures:
    received: int = 0
    published: int = 0
    median_first_response_hours: float | None = None
    median_resolution_hours: float | None = None
    deadline_counted: int = 0
    within_deadline: int = 0
    satisfaction_average: float | None = None
    satisfaction_count: int = 0

    @property
    def published_share(self) -> float | None:
        return self.published / self.received if self.received else None

    @property
    def within_deadline_share(self) -> float | None:
        return self.within_deadline / self.deadline_counted if self.deadline_counted else None


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    figures: Figures


@dataclass(frozen=True)
class Statistics:
    start: dt.date
    end: dt.date
    total: Figures
    departments: list[Row]
    categories: list[Row]


def _hours(delta: dt.timedelta) -> float:
    return delta.total_seconds() / 3600


def figures(facts: Iterable[CaseFacts], *, now: dt.datetime) -> Figures:
    """Return the figures of ``facts`` as they stand at ``now``."""
    facts = list(facts)
    first_response = [
        _hours(f.first_responded_at - f.created_at) for f in facts if f.first_responded_at
    ]
    resolution = [_hours(f.resolved_at - f.created_at) for f in facts if f.resolved_at]
    counted = within = 0
    for f in facts:
        if f.status in _NOT_TO_RESOLVE:
            continue
        if f.resolved_at is not None:
            counted += 1
            within += f.resolved_at <= f.due_at
        elif f.due_at < now:
            counted += 1
    ratings = [f.satisfaction for f in facts if f.satisfaction is not None]
    return Figures(
        received=len(facts),
        published=sum(f.published for f in facts),
        median_first_response_hours=percentile(first_response, 0.5),
        median_resolution_hours=percentile(resolution, 0.5),
        deadline_counted=counted,
        within_deadline=within,
        satisfaction_average=pystats.fmean(ratings) if ratings else None,
        satisfaction_count=len(ratings),
    )


def period_bounds(
    council: Council, start: dt.date, end: dt.date
) -> tuple[dt.datetime, dt.datetime]:
    """Return the moments from the start of ``start`` to the end of ``end`` (council time)."""
    tz = council.tz
    return (
        dt.datetime.combine(start, dt.time(0, 0), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz),
    )


def case_facts(council: Council, start: dt.date, end: dt.date) -> list[CaseFacts]:
    """Return the facts of every case of ``council`` received from ``start`` to ``end``."""
    since, until = period_bounds(council, start, end)
    published = PublicRecord.objects.visible().filter(case=OuterRef("pk"))
    rows = (
        Case.objects.of(council)
        .filter(created_at__gte=since, created_at__lt=until)
        .annotate(published=Exists(published))
        .values_list(
            "department_id",
            "category_id",
            "category__public_by_default",
            "status",
            "created_at",
            "due_at",
            "first_responded_at",
            "resolved_at",
            "satisfaction",
            "published",
        )
        .order_by()
    )
    return [CaseFacts(*row) for row in rows]


def statistics(
    council: Council, *, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> Statistics:
    """Return the statistics of ``council`` for the cases received from ``start`` to ``end``."""
    now = now or timezone.now()
    facts = case_facts(council, start, end)
    by_department: dict[int, list[CaseFacts]] = defaultdict(list)
    by_category: dict[str, list[CaseFacts]] = defaultdict(list)
    for fact in facts:
        by_department[fact.department_id].append(fact)
        key = str(fact.category_id) if fact.public_category else PRIVATE_CATEGORIES
        by_category[key].append(fact)

    departments = [
        Row(key=str(d.pk), name=d.name, figures=figures(by_department.get(d.pk, []), now=now))
        for d in Department.objects.filter(council=council)
        if d.active or d.pk in by_department
    ]
    categories = [
        Row(key=c.code, name=c.name, figures=figures(by_category.get(str(c.pk), []), now=now))
        for c in Category.objects.of(council).filter(public_by_default=True)
        if c.active or str(c.pk) in by_category
    ]
    if by_category.get(PRIVATE_CATEGORIES):
        categories.append(
            Row(
                key=PRIVATE_CATEGORIES,
                name=gettext("Other categories (not public)"),
                figures=figures(by_category[PRIVATE_CATEGORIES], now=now),
            )
        )
    departments.sort(key=lambda row: row.name.casefold())
    return Statistics(
        start=start,
        end=end,
        total=figures(facts, now=now),
        departments=departments,
        categories=categories,
    )
