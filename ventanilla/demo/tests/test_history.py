"""The demo's year of history: true-to-life statistics, loaded once."""

import datetime as dt

import pytest
from django.utils import timezone

from ventanilla.cases.models import Case
from ventanilla.demo.data import load_demo
from ventanilla.demo.history import load_history
from ventanilla.insights.models import CaseFigures
from ventanilla.insights.statistics import charter, direct_facts, statistics

pytestmark = pytest.mark.django_db


def test_a_year_of_cases_with_late_reopened_and_rated_ones():
    council, _ = load_demo()
    cases = Case.objects.of(council)
    assert 1000 < cases.count() < 2000
    assert CaseFigures.objects.filter(council=council).count() == cases.count()
    today = timezone.now().astimezone(council.tz).date()
    stats = statistics(council, start=today - dt.timedelta(days=364), end=today)
    total = stats.total
    assert 0.7 < total.on_time_share < 0.95  # some late, most not
    assert 0.02 < total.reopen_rate < 0.1
    assert all(total.satisfaction[score] > 0 for score in range(1, 6))
    assert total.first_response_hours.median > 0 and total.resolution_days.median > 0
    summer = sum(p.received for p in stats.volumes if p.start.month in (6, 7, 8))
    winter = sum(p.received for p in stats.volumes if p.start.month in (1, 2, 11))
    assert summer > winter
    assert stats.comments and not any("612 345 678" in c for c in stats.comments)
    rows = charter(council, start=today - dt.timedelta(days=364), end=today)
    assert len(rows) == 4 and all(0.6 < (r.share or 0) < 1 for r in rows)
    # the rollup matches the cases
    direct = statistics(
        council, start=today - dt.timedelta(days=364), end=today, reader=direct_facts
    )
    assert direct.total == total


def test_loading_again_adds_nothing():
    council, _ = load_demo()
    count = Case.objects.of(council).count()
    assert load_history(council) == 0
    load_demo()
    assert Case.objects.of(council).count() == count
