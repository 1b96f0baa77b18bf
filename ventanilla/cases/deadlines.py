"""Deadlines in working days and working hours: pure, timezone-aware functions.

A working day is Monday to Friday and not a holiday of the council. Resolution deadlines
count working days (the due time keeps the time of day of the start, as administrative
deadlines do); first-response deadlines count working hours inside office hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from zoneinfo import ZoneInfo


def is_working_day(day: dt.date, holidays: Container[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: dt.datetime, days: int, *, holidays: Container[dt.date], tz: ZoneInfo
) -> dt.datetime:
    """Return the moment ``days`` working days after ``start``, at the same local time.

    A start outside a working day counts from the next working day's beginning.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local = start.astimezone(tz)
    day = local.date()
    if not is_working_day(day, holidays):
        while not is_working_day(day, holidays):
            day += dt.timedelta(days=1)
        local = dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz)
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=tz)


def add_working_hours(
    start: dt.datetime,
    hours: float,
    *,
    holidays: Container[dt.date],
    tz: ZoneInfo,
    opens: dt.time,
    closes: dt.time,
) -> dt.datetime:
    """Return the moment when ``hours`` of office time have passed since ``start``."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    if closes <= opens:
        raise ValueError("office must close after it opens")
    remaining = dt.timedelta(hours=hours)
    cursor = start.astimezone(tz)
    while True:
        day = cursor.date()
        open_at = dt.datetime.combine(day, opens, tzinfo=tz)
        close_at = dt.datetime.combine(day, closes, tzinfo=tz)
        if is_working_day(day, holidays) and cursor < close_at:
            cursor = max(cursor, open_at)
            available = close_at - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
        next_day = day + dt.timedelta(days=1)
        cursor = dt.datetime.combine(next_day, opens, tzinfo=tz)


def next_office_opening(
    moment: dt.datetime,
    *,
    holidays: Container[dt.date],
    tz: ZoneInfo,
    opens: dt.time,
    closes: dt.time,
) -> dt.datetime | None:
    """Return when the office next opens, or None if it is open at ``moment``."""
    local = moment.astimezone(tz)
    day = local.date()
    if is_working_day(day, holidays) and opens <= local.time() < closes:
        return None
    if is_working_day(day, holidays) and local.time() < opens:
        return dt.datetime.combine(day, opens, tzinfo=tz)
    day += dt.timedelta(days=1)
    while not is_working_day(day, holidays):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, opens, tzinfo=tz)
