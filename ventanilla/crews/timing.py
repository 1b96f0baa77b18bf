"""When a crew is reminded and a supervisor told: pure functions of office time.

A reminder goes ``REMINDER_LEAD`` of office time before a work order's deadline, so that it
reaches the crew while they work (a deadline at 10:00 on Monday is reminded on Friday
afternoon, not at 8:00 on Monday). An overdue work order is escalated at its deadline, or at
the next office opening when the deadline falls outside office hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from zoneinfo import ZoneInfo

from ventanilla.cases.deadlines import is_working_day, next_office_opening

REMINDER_LEAD = dt.timedelta(hours=2)


def subtract_working_hours(
    end: dt.datetime,
    lead: dt.timedelta,
    *,
    holidays: Container[dt.date],
    tz: ZoneInfo,
    opens: dt.time,
    closes: dt.time,
) -> dt.datetime:
    """Return the moment ``lead`` of office time before ``end``."""
    if end.tzinfo is None:
        raise ValueError("end must be timezone-aware")
    if closes <= opens:
        raise ValueError("office must close after it opens")
    remaining = lead
    cursor = end.astimezone(tz)
    while True:
        day = cursor.date()
        open_at = dt.datetime.combine(day, opens, tzinfo=tz)
        close_at = dt.datetime.combine(day, closes, tzinfo=tz)
        if is_working_day(day, holidays) and cursor > open_at:
            cursor = min(cursor, close_at)
            available = cursor - open_at
            if remaining <= available:
                return cursor - remaining
            remaining -= available
        cursor = dt.datetime.combine(day - dt.timedelta(days=1), closes, tzinfo=tz)


def reminder_at(
    due_at: dt.datetime,
    *,
    holidays: Container[dt.date],
    tz: ZoneInfo,
    opens: dt.time,
    closes: dt.time,
) -> dt.datetime:
    """Return when a crew is reminded of a work order due at ``due_at``."""
    return subtract_working_hours(
        due_at, REMINDER_LEAD, holidays=holidays, tz=tz, opens=opens, closes=closes
    )


def escalation_at(
    due_at: dt.datetime,
    *,
    holidays: Container[dt.date],
    tz: ZoneInfo,
    opens: dt.time,
    closes: dt.time,
) -> dt.datetime:
    """Return when a work order still open past ``due_at`` is escalated to the supervisor."""
    opening = next_office_opening(due_at, holidays=holidays, tz=tz, opens=opens, closes=closes)
    return due_at if opening is None else opening


def quiet_until(
    moment: dt.datetime, *, tz: ZoneInfo, start: dt.time | None, end: dt.time | None
) -> dt.datetime | None:
    """Return when quiet hours ``start``–``end`` (local) end, or None if ``moment`` is not in them.

    Quiet hours may cross midnight (22:00–07:00).
    """
    if start is None or end is None or start == end:
        return None
    local = moment.astimezone(tz)
    now = local.time()
    if start < end:
        inside = start <= now < end
    else:
        inside = now >= start or now < end
    if not inside:
        return None
    day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=tz)
