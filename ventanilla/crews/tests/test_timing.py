"""When crews are reminded and supervisors told: office time, weekends and holidays."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from ventanilla.crews.timing import escalation_at, quiet_until, reminder_at

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
OFFICE = {"tz": MADRID, "opens": dt.time(9, 0), "closes": dt.time(14, 0)}


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("due", "holidays", "remind"),
    [
        (at(12, 12), (), at(12, 10)),  # Thursday noon: two office hours before
        (at(12, 10), (), at(11, 13)),  # one hour on Thursday, one on Wednesday afternoon
        (at(16, 10), (), at(13, 13)),  # Monday 10:00: Friday afternoon, not the weekend
        (at(16, 10), (dt.date(2026, 3, 13),), at(12, 13)),  # ... Friday a holiday: Thursday
        (at(12, 18), (), at(12, 12)),  # after closing: the last two office hours
    ],
)
def test_reminder_comes_two_office_hours_before_the_deadline(due, holidays, remind):
    assert reminder_at(due, holidays=holidays, **OFFICE) == remind


@pytest.mark.parametrize(
    ("due", "holidays", "escalate"),
    [
        (at(12, 12), (), at(12, 12)),  # in office hours: at the deadline
        (at(12, 18), (), at(13, 9)),  # after closing: next opening
        (at(13, 18), (), at(16, 9)),  # Friday evening: Monday morning
        (at(13, 18), (dt.date(2026, 3, 16),), at(17, 9)),  # Monday a holiday: Tuesday
    ],
)
def test_escalation_waits_for_the_office_to_be_open(due, holidays, escalate):
    assert escalation_at(due, holidays=holidays, **OFFICE) == escalate


@pytest.mark.parametrize(
    ("moment", "start", "end", "until"),
    [
        (at(12, 23), dt.time(22), dt.time(7), at(13, 7)),  # across midnight
        (at(13, 6), dt.time(22), dt.time(7), at(13, 7)),
        (at(13, 8), dt.time(22), dt.time(7), None),
        (at(13, 15), dt.time(14), dt.time(16), at(13, 16)),
        (at(13, 15), None, None, None),
    ],
)
def test_quiet_hours(moment, start, end, until):
    assert quiet_until(moment, tz=MADRID, start=start, end=end) == until
