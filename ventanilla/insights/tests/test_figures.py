"""The pure figures: working time, percentiles, periods and buckets."""

import datetime as dt

import pytest

from ventanilla.insights import figures as F
from ventanilla.insights.tests.conftest import MADRID, madrid

CALENDAR = F.Calendar(tz=MADRID, holidays=frozenset({dt.date(2026, 3, 19)}))


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        (madrid(3, 16, 10), madrid(3, 16, 12), 2.0),
        (madrid(3, 18, 13), madrid(3, 20, 10), 2.0),  # Thursday 19 is a holiday
        (madrid(3, 20, 15), madrid(3, 23, 9, 30), 0.5),  # after hours, then the weekend
        (madrid(3, 21, 11), madrid(3, 23, 10), 1.0),  # received on a Saturday
        (madrid(3, 16, 12), madrid(3, 16, 10), 0.0),  # reversed
    ],
)
def test_working_hours_count_office_hours_of_working_days(start, end, hours):
    assert F.working_hours_between(start, end, CALENDAR) == pytest.approx(hours)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (madrid(3, 16, 10), madrid(3, 18, 10), 2.0),
        (madrid(3, 18, 13), madrid(3, 23, 13), 2.0),  # holiday and weekend left out
        (madrid(3, 18, 13), madrid(3, 25, 13), 4.0),
        (madrid(3, 27, 12), madrid(3, 30, 12), 1.0),  # over the change to summer time
    ],
)
def test_working_days_leave_out_weekends_and_holidays(start, end, days):
    assert F.working_days_between(start, end, CALENDAR) == pytest.approx(days)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([7.0], 0.9, 7.0),
        ([2.0, 4.0], 0.5, 3.0),
        ([2.0, 4.0], 0.9, 3.8),
        ([2.0, 0.5, 2.0, 1.0], 0.5, 1.5),
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9, 9.1),
    ],
)
def test_percentile_interpolates_like_postgresql(values, fraction, expected):
    result = F.percentile(values, fraction)
    assert result == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        ((2026, 3, 1), (2026, 3, 31), ((2026, 2, 1), (2026, 2, 28))),
        ((2026, 1, 1), (2026, 12, 31), ((2025, 1, 1), (2025, 12, 31))),
        ((2026, 1, 1), (2026, 3, 31), ((2025, 10, 1), (2025, 12, 31))),
        ((2026, 3, 10), (2026, 3, 16), ((2026, 3, 3), (2026, 3, 9))),
    ],
)
def test_previous_period_has_the_same_length(start, end, previous):
    got = F.previous_period(dt.date(*start), dt.date(*end))
    assert got == (dt.date(*previous[0]), dt.date(*previous[1]))


def test_buckets_by_week_start_on_monday():
    weeks = F.buckets(dt.date(2026, 3, 1), dt.date(2026, 3, 31), "week")
    assert weeks[0] == dt.date(2026, 2, 23)
    assert weeks[1] == dt.date(2026, 3, 2)
    assert len(weeks) == 6


def _fact(reference, *, created, due, status="new", resolved=None, reopened=False, rating=None):
    return F.CaseFacts(
        reference=reference,
        department_id=1,
        category_id=1,
        status=status,
        created_at=created,
        due_at=due,
        resolved_at=resolved,
        reopened=reopened,
        satisfaction=rating,
    )


def test_summary_counts_on_time_reopened_and_ratings():
    now = madrid(4, 3, 12)
    facts = [
        _fact(
            "a",
            created=madrid(3, 2, 9),
            due=madrid(3, 4, 9),
            status="resolved",
            resolved=madrid(3, 3, 9),
            rating=4,
        ),
        _fact(
            "b",
            created=madrid(3, 2, 9),
            due=madrid(3, 4, 9),
            status="resolved",
            resolved=madrid(3, 5, 9),
            reopened=True,
            rating=2,
        ),
        _fact("c", created=madrid(3, 2, 9), due=madrid(3, 4, 9)),  # overdue
        _fact("d", created=madrid(3, 2, 9), due=madrid(5, 4, 9)),  # not yet due
        _fact("e", created=madrid(3, 2, 9), due=madrid(3, 4, 9), status="rejected"),
    ]
    figures = F.summarise(facts, now=now)
    assert (figures.deadline_counted, figures.on_time) == (3, 1)
    assert figures.reopen_rate == 0.5
    assert figures.satisfaction_average == 3.0
    backlog = F.backlog(facts, now=now)
    assert (backlog.open, backlog.overdue) == (2, 1)
    assert backlog.ages == {"0-7": 0, "8-30": 0, "31-90": 2, "91+": 0}  # 32 days


def test_working_days_ago_is_the_moment_before_which_more_days_have_passed():
    import random

    rng = random.Random(14)
    now = madrid(4, 3, 12)
    for days in (1, 2, 3, 5, 10):
        moment = F.working_days_ago(now, days, CALENDAR)
        assert F.working_days_between(moment, now, CALENDAR) == pytest.approx(days)
        assert F.working_days_between(moment - dt.timedelta(seconds=1), now, CALENDAR) > days
        for _ in range(300):
            created = now - dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
            late = F.working_days_between(created, now, CALENDAR) > days
            assert late == (created < moment), (days, created)
    # at midnight on Monday one working day is Friday; Thursday is a holiday, so a case
    # of any time on Thursday has had exactly one working day, one of Wednesday more
    monday = madrid(3, 23, 0)
    assert F.working_days_ago(monday, 1, CALENDAR) == madrid(3, 19, 0)


@pytest.mark.parametrize("fraction", [0.0, 0.25, 0.5, 0.9, 1.0])
def test_percentile_of_counts_is_the_percentile_of_the_values(fraction):
    counts = [(0.5, 3), (1.0, 1), (2.0, 4), (7.25, 2)]
    values = [value for value, n in counts for _ in range(n)]
    assert F.percentile_of_counts(counts, fraction) == F.percentile(values, fraction)
    assert F.percentile_of_counts([], fraction) is None
