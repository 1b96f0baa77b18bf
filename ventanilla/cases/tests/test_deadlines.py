import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ventanilla.cases.deadlines import add_working_days, add_working_hours, next_office_opening

MADRID = ZoneInfo("Europe/Madrid")
HOLIDAYS = {dt.date(2026, 12, 7), dt.date(2026, 12, 8), dt.date(2026, 12, 25)}
OPENS, CLOSES = dt.time(9), dt.time(14)


def t(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=MADRID)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (t("2026-12-02 10:00"), 1, t("2026-12-03 10:00")),  # Wednesday → Thursday
        (t("2026-12-04 12:00"), 1, t("2026-12-09 12:00")),  # Friday; Mon 7 and Tue 8 are holidays
        (t("2026-12-04 12:00"), 3, t("2026-12-11 12:00")),
        (
            t("2026-12-05 18:00"),
            1,
            t("2026-12-10 00:00"),
        ),  # Saturday counts from Wed 9 (next working day)
        (t("2026-12-24 09:00"), 1, t("2026-12-28 09:00")),  # Christmas and weekend skipped
        (t("2026-03-27 10:00"), 2, t("2026-03-31 10:00")),  # across the DST change
        (t("2026-12-02 10:00"), 0, t("2026-12-02 10:00")),
    ],
)
def test_due_date_skips_weekends_and_holidays(start, days, due):
    assert add_working_days(start, days, holidays=HOLIDAYS, tz=MADRID) == due


@pytest.mark.parametrize(
    ("start", "hours", "due"),
    [
        (t("2026-12-02 10:00"), 2, t("2026-12-02 12:00")),
        (t("2026-12-02 13:00"), 2, t("2026-12-03 10:00")),  # one hour today, one tomorrow
        (t("2026-12-02 20:00"), 1, t("2026-12-03 10:00")),  # after hours: starts at opening
        (t("2026-12-04 13:30"), 1, t("2026-12-09 09:30")),  # Friday → Wednesday (holidays)
        (t("2026-12-05 11:00"), 5, t("2026-12-09 14:00")),  # Saturday
        (t("2026-12-02 07:00"), 8, t("2026-12-03 12:00")),
    ],
)
def test_first_response_counts_office_hours(start, hours, due):
    assert (
        add_working_hours(start, hours, holidays=HOLIDAYS, tz=MADRID, opens=OPENS, closes=CLOSES)
        == due
    )


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (t("2026-12-02 10:00"), None),
        (t("2026-12-02 08:00"), t("2026-12-02 09:00")),
        (t("2026-12-04 15:00"), t("2026-12-09 09:00")),
    ],
)
def test_next_office_opening(moment, opening):
    assert (
        next_office_opening(moment, holidays=HOLIDAYS, tz=MADRID, opens=OPENS, closes=CLOSES)
        == opening
    )


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        add_working_days(dt.datetime(2026, 12, 2), 1, holidays=HOLIDAYS, tz=MADRID)  # noqa: DTZ001
