"""``GET /api/v1/statistics``: the dashboard's figures for integrators (same computation)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from ventanilla.cases.access import staff_of
from ventanilla.insights import figures as F
from ventanilla.insights.forms import DEFAULT_DAYS, EARLIEST, LATEST, MAX_DAYS, within_range
from ventanilla.insights.statistics import statistics

router = Router(tags=["statistics"])


class Error(Schema):
    detail: str


class StatisticsQuery(Schema):
    start: dt.date | None = Field(None, alias="from", description="first day (council time)")
    end: dt.date | None = Field(None, alias="to", description="last day, included")
    by: Literal["department", "category", "channel", "district"] = "department"


class DurationsOut(Schema):
    count: int
    median: float | None
    p90: float | None


class FiguresOut(Schema):
    received: int
    resolved: int
    first_response_working_hours: DurationsOut
    resolution_working_days: DurationsOut
    deadline_counted: int
    on_time: int
    on_time_share: float | None
    ever_resolved: int
    reopened: int
    reopen_rate: float | None
    satisfaction: dict[str, int]
    satisfaction_average: float | None


class GroupOut(Schema):
    key: str
    name: str
    figures: FiguresOut


class PeriodOut(Schema):
    start: dt.date = Field(..., serialization_alias="from")
    end: dt.date = Field(..., serialization_alias="to")


class BacklogOut(Schema):
    open: int
    overdue: int
    median_age_days: float | None
    ages: dict[str, int]


class StatisticsOut(Schema):
    period: PeriodOut
    previous_period: PeriodOut
    total: FiguresOut
    previous: FiguresOut
    backlog: BacklogOut
    by: str
    groups: list[GroupOut]


def _figures(f: F.Figures) -> dict[str, Any]:
    return {
        "received": f.received,
        "resolved": f.resolved,
        "first_response_working_hours": vars(f.first_response_hours),
        "resolution_working_days": vars(f.resolution_days),
        "deadline_counted": f.deadline_counted,
        "on_time": f.on_time,
        "on_time_share": f.on_time_share,
        "ever_resolved": f.ever_resolved,
        "reopened": f.reopened,
        "reopen_rate": f.reopen_rate,
        "satisfaction": {str(k): v for k, v in sorted(f.satisfaction.items())},
        "satisfaction_average": f.satisfaction_average,
    }


@router.get(
    "/statistics",
    response={200: StatisticsOut, 400: Error, 401: Error, 403: Error},
    by_alias=True,
)
def get_statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> Any:
    """Return the figures of the cases the token's user may see, received in the period."""
    staff = staff_of(request.user)
    if staff is None:
        raise HttpError(403, "This user is not staff of any council.")
    council = staff.council
    today = timezone.now().astimezone(council.tz).date()
    if not within_range(query.start, query.end):
        raise HttpError(400, f"Dates run from {EARLIEST} to {LATEST}.")
    end = query.end or today
    start = query.start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise HttpError(400, "to: the end of the period is before its start.")
    if (end - start).days >= MAX_DAYS:
        raise HttpError(400, "A period is at most two years long.")
    stats = statistics(council, user=request.user, start=start, end=end)
    b = stats.backlog
    return {
        "period": {"start": stats.start, "end": stats.end},
        "previous_period": {"start": stats.previous_start, "end": stats.previous_end},
        "total": _figures(stats.total),
        "previous": _figures(stats.previous),
        "backlog": {
            "open": b.open,
            "overdue": b.overdue,
            "median_age_days": b.median_age_days,
            "ages": b.ages,
        },
        "by": query.by,
        "groups": [
            {"key": row.key, "name": row.name, "figures": _figures(row.figures)}
            for row in stats.breakdowns[query.by]
        ],
    }
