"""The statistics of a council for a period, as the dashboard, API, exports and PDF show them.

Reads start from what the reader may see (``cases.access.case_scope``, the filter behind
``Case.objects.visible_to``) and come from ``CaseFigures`` (one narrow row per case, kept in
step by a reaction); :func:`direct_facts` reads the same facts straight from the cases, and
a test holds the two to the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Case as Choose
from django.db.models import Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases.access import case_scope, sees_whole_council, staff_of
from ventanilla.cases.models import Case, Category, Department
from ventanilla.channels.models import Provider
from ventanilla.core.models import Council
from ventanilla.insights import aggregates
from ventanilla.insights import figures as F
from ventanilla.insights.models import CaseFigures, Commitment, District, DurationTally
from ventanilla.insights.rollup import calendar_of, facts_of_cases
from ventanilla.privacy.redaction import redact

COMMENTS = 20
OLDEST = 10
WORST = 5


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    figures: F.Figures


@dataclass(frozen=True)
class CharterMonth:
    month: dt.date
    counted: int
    met: int

    @property
    def share(self) -> float | None:
        return self.met / self.counted if self.counted else None


@dataclass(frozen=True)
class CharterRow:
    category: str
    statement: str
    working_days: int
    target_percent: int
    counted: int
    met: int
    months: list[CharterMonth] = field(default_factory=list)

    @property
    def share(self) -> float | None:
        return self.met / self.counted if self.counted else None


@dataclass(frozen=True)
class Statistics:
    council: Council
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    granularity: F.Granularity
    now: dt.datetime
    total: F.Figures
    previous: F.Figures
    volumes: list[F.Point]
    backlog: F.Backlog
    breakdowns: dict[str, list[Row]]
    comments: list[str]

    def change(self, name: str) -> float | None:
        """Return the change of a total figure (an attribute or property) since the previous."""
        return F.change(_value(self.total, name), _value(self.previous, name))

    @property
    def worst_categories(self) -> list[Row]:
        """Return the categories with the lowest share on time (with cases counted)."""
        rows = [r for r in self.breakdowns["category"] if r.figures.on_time_share is not None]
        rows.sort(key=lambda r: (r.figures.on_time_share or 0, -r.figures.deadline_counted))
        return rows[:WORST]


def _value(figures: F.Figures, name: str) -> float | None:
    if "." in name:
        head, tail = name.split(".", 1)
        return _value(getattr(figures, head), tail)
    value = getattr(figures, name)
    return None if value is None else float(value)


FactsReader = Callable[[Council, Q, dt.date, dt.date], tuple[list[F.CaseFacts], list[F.CaseFacts]]]


def _period_q(council: Council, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = council.tz
    return (
        dt.datetime.combine(start, dt.time(0, 0), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz),
    )


def direct_facts(
    council: Council, scope: Q, start: dt.date, end: dt.date
) -> tuple[list[F.CaseFacts], list[F.CaseFacts]]:
    """Return (received in the period, resolved in the period) read straight from the cases."""
    since, until = _period_q(council, start, end)
    cases = Case.objects.of(council).filter(scope)
    received = cases.filter(created_at__gte=since, created_at__lt=until)
    resolved = cases.filter(resolved_at__gte=since, resolved_at__lt=until)
    return (
        [fact for _, fact in facts_of_cases(received, council)],
        [fact for _, fact in facts_of_cases(resolved, council)],
    )


_ROW_FIELDS = (
    "reference",
    "department_id",
    "category_id",
    "status",
    "created_at",
    "due_at",
    "channel",
    "district_id",
    "assignee_id",
    "first_responded_at",
    "resolved_at",
    "reopened",
    "satisfaction",
    "public_category",
    "first_response_hours",
    "resolution_days",
)


def _facts(rows: QuerySet[CaseFigures]) -> list[F.CaseFacts]:
    return [
        F.CaseFacts(**dict(zip(_ROW_FIELDS, values, strict=True)))
        for values in rows.values_list(*_ROW_FIELDS).order_by().iterator(chunk_size=5000)
    ]


def rollup_facts(
    council: Council, scope: Q, start: dt.date, end: dt.date
) -> tuple[list[F.CaseFacts], list[F.CaseFacts]]:
    """Return (received in the period, resolved in the period) from ``CaseFigures``."""
    rows = CaseFigures.objects.filter(scope, council=council)
    return (
        _facts(rows.filter(day__gte=start, day__lte=end)),
        _facts(rows.filter(resolved_day__gte=start, resolved_day__lte=end)),
    )


def names(council: Council, dimension: str, keys: Iterable[str]) -> dict[str, str]:
    """Return the name to show for each key of ``dimension``."""
    ids = [int(k) for k in keys if k.isdigit()]
    found: dict[str, str]
    if dimension == "department":
        found = {str(d.pk): d.name for d in Department.objects.filter(council=council, pk__in=ids)}
    elif dimension == "category":
        found = {str(c.pk): c.name for c in Category.objects.filter(council=council, pk__in=ids)}
    elif dimension == "district":
        found = {str(d.pk): d.name for d in District.objects.filter(council=council, pk__in=ids)}
    elif dimension == "agent":
        found = {
            str(u.pk): u.get_full_name() or u.get_username()
            for u in get_user_model().objects.filter(pk__in=ids)
        }
    else:
        found = {str(value): str(label) for value, label in Provider.choices}
    none = {
        "department": _("No department"),
        "category": _("No category"),
        "channel": _("Staff or other"),
        "district": _("No location"),
        "agent": _("Unassigned"),
    }[dimension]
    return {key: found.get(key, none if not key else key) for key in keys}


def satisfaction_comments(case_ids: list[int], *, limit: int = COMMENTS) -> list[str]:
    """Return the residents' comments on ``case_ids``, newest first, after redaction."""
    texts = (
        Case.objects.filter(pk__in=case_ids)
        .exclude(satisfaction_comment="")
        .order_by("-created_at", "-pk")
        .values_list("satisfaction_comment", flat=True)[:limit]
    )
    return [redact(text) for text in texts]


def statistics(
    council: Council,
    *,
    user: Any = None,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    granularity: F.Granularity | None = None,
    reader: FactsReader = rollup_facts,
) -> Statistics:
    """Return what ``user`` may see of ``council``'s statistics for ``start`` to ``end``.

    ``user=None`` is the whole council (the command line's reports).
    """
    now = now or timezone.now()
    scope = case_scope(user) if user is not None else Q(council_id=council.pk)
    granularity = granularity or F.default_granularity(start, end)
    previous_start, previous_end = F.previous_period(start, end)
    rows = CaseFigures.objects.filter(scope, council=council)
    per_key: dict[str, dict[str, F.Figures]]
    if reader is rollup_facts:
        departments = departments_of(user, council)
        total, per_key = aggregates.read(council, departments, start=start, end=end, now=now)
        previous, _ = aggregates.read(
            council, departments, start=previous_start, end=previous_end, now=now, breakdown=False
        )
        volumes = aggregates.volumes(
            council, departments, start=start, end=end, granularity=granularity
        )
        backlog = aggregates.backlog(council, departments, now=now, oldest=OLDEST)
    else:
        received, resolved = reader(council, scope, start, end)
        prev_received, prev_resolved = reader(council, scope, previous_start, previous_end)
        total = F.summarise(received, now=now, resolved_in_period=len(resolved))
        previous = F.summarise(prev_received, now=now, resolved_in_period=len(prev_resolved))
        per_key = {
            dimension: F.breakdown(received, dimension, now=now, resolved=resolved)
            for dimension in F.DIMENSIONS
        }
        volumes = F.volumes(
            received, resolved, start=start, end=end, tz=council.tz, granularity=granularity
        )
        backlog = F.backlog(_direct_open(council, scope), now=now, oldest=OLDEST)
    breakdowns: dict[str, list[Row]] = {}
    for dimension in F.DIMENSIONS:
        labels = names(council, dimension, per_key[dimension])
        table = [Row(key, labels[key], fig) for key, fig in per_key[dimension].items()]
        table.sort(key=lambda r: (-r.figures.received, r.name.casefold()))
        breakdowns[dimension] = table
    since, until = _period_q(council, start, end)
    rated = list(
        rows.filter(
            created_at__gte=since,
            created_at__lt=until,
            day__gte=start,
            day__lte=end,
            satisfaction__isnull=False,
        )
        .order_by("-created_at", "-case_id")
        .values_list("case_id", flat=True)[: COMMENTS * 5]
    )
    return Statistics(
        council=council,
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        granularity=granularity,
        now=now,
        total=total,
        previous=previous,
        volumes=volumes,
        backlog=backlog,
        breakdowns=breakdowns,
        comments=satisfaction_comments(rated),
    )


def departments_of(user: Any, council: Council) -> list[int] | None:
    """Return the departments of ``council`` whose cases ``user`` may see (None: all).

    The same rule as ``cases.access.case_scope``, in the shape the summary tallies need.
    """
    if user is None:
        return None
    staff = staff_of(user)
    if staff is None or staff.council_id != council.pk:
        return []
    if sees_whole_council(user):
        return None
    return list(staff.departments.values_list("id", flat=True))


def _direct_open(council: Council, scope: Q) -> list[F.CaseFacts]:
    cases = Case.objects.of(council).filter(scope).open()
    return [fact for _, fact in facts_of_cases(cases, council)]


def charter(
    council: Council,
    *,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    public_only: bool = True,
) -> list[CharterRow]:
    """Return each committed term of ``council`` against the share met, per month.

    A case met its commitment of N working days when it was resolved within N working
    days (working time, weekends and holidays left out, as "resolution" counts it); it
    counts when it was resolved, or when more than N working days have passed without
    resolution. Rejected and duplicate cases are left out, as for "on time".
    """
    now = now or timezone.now()
    commitments = list(
        Commitment.objects.filter(category__council=council)
        .select_related("category")
        .order_by("category__name_es")
    )
    if public_only:
        commitments = [c for c in commitments if c.category.public_by_default]
    if not commitments:
        return []
    terms = {c.category_id: c.working_days for c in commitments}
    counts: dict[tuple[int, dt.date], list[int]] = defaultdict(lambda: [0, 0])
    # resolved cases: the per-minute counts of whole months and of the days at the edges,
    # summed in the database (those within the category's term are the ones met)
    met = Choose(
        *(
            When(key=str(category_id), value__lte=days * 1440, then="n")
            for category_id, days in terms.items()
        ),
        default=Value(0),
    )
    for key, start_day, counted, within in (
        DurationTally.objects.filter(
            aggregates.grains_q(start, end, ("month", "day")),  # counted per month
            council=council,
            dimension="category",
            key__in=[str(c) for c in terms],
            measure="charter",
            n__gt=0,
        )
        .values_list("key", "start")
        .annotate(counted=Sum("n"), within=Sum(met))
        .order_by()
    ):
        month = counts[(int(key), start_day.replace(day=1))]
        month[0] += counted
        month[1] += within
    rows = CaseFigures.objects.filter(council=council, category_id__in=list(terms)).exclude(
        status__in=sorted(F.NOT_TO_RESOLVE)
    )
    # unresolved cases past their committed term count as not met
    calendar = calendar_of(council)
    # one range of the per-category index each (an OR of them would read every open case)
    late = [
        rows.filter(
            category_id=category_id,
            created_at__lt=F.working_days_ago(now, days, calendar),
            resolved_at__isnull=True,
            day__gte=start,
            day__lte=end,
        )
        .values_list("category_id", "day")
        .annotate(n=Count("*"))
        .order_by()
        for category_id, days in terms.items()
    ]
    for category_id, day, n in late[0].union(*late[1:], all=True):
        counts[(category_id, day.replace(day=1))][0] += n
    out = []
    for commitment in commitments:
        months = [
            CharterMonth(month, *counts.get((commitment.category_id, month), [0, 0]))
            for month in F.buckets(start, end, "month")
        ]
        out.append(
            CharterRow(
                category=commitment.category.name,
                statement=commitment.statement,
                working_days=commitment.working_days,
                target_percent=commitment.target_percent,
                counted=sum(m.counted for m in months),
                met=sum(m.met for m in months),
                months=months,
            )
        )
    return out
