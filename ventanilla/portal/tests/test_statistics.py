"""Statistics against figures computed by hand on a small known set of cases."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_council, make_department
from ventanilla.cases.workflow import Status
from ventanilla.portal import services
from ventanilla.portal.statistics import PRIVATE_CATEGORIES, CaseFacts, figures, statistics
from ventanilla.portal.tests.factories import (
    make_private_category,
    make_public_category,
    open_case,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 in Madrid
NOW = dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.UTC)


def at(hours: float) -> dt.datetime:
    return MONDAY + dt.timedelta(hours=hours)


def case_with(category, *, created=MONDAY, steps=(), satisfaction=None):
    """Open a case at ``created`` and apply (hours after Monday 09:00 UTC, status) steps."""
    with time_machine.travel(created, tick=False):
        case = open_case(category=category)
    for hours, status in steps:
        with time_machine.travel(at(hours), tick=False):
            case = case_services.change_status(case=case, status=status)
    if satisfaction is not None:
        Case.objects.filter(pk=case.pk).update(satisfaction=satisfaction)
    return case


@pytest.fixture
def dataset():
    """Seven cases; resolution deadline one working day (Tuesday 09:00 UTC for Monday's).

    ===  =======  ==============  ==========  ============  ============  ====  =========
    case  dept     category        1st answer  resolved      deadline      ★     published
    ===  =======  ==============  ==========  ============  ============  ====  =========
    c1   urban    lighting        2 h         23 h          in time       5     yes
    c2   urban    lighting        4 h         48 h          late          3     yes
    c3   urban    lighting        10 h        —             passed, late  —     withdrawn
    c4   social   social (priv.)  1 h         rejected      not counted   —     no
    c5   social   social (priv.)  6 h         12 h          in time       4     no
    c6   urban    lighting        —           —             not yet due   —     yes
    c0   urban    lighting        January: outside the period
    ===  =======  ==============  ==========  ============  ============  ====  =========
    """
    council = make_council()
    urban = make_department(council=council, name="Servicios Urbanos")
    social = make_department(council=council, name="Servicios Sociales")
    lighting = make_public_category(
        council=council, department=urban, code="alumbrado", resolution_days=1
    )
    private = make_private_category(
        council=council,
        department=social,
        code="social",
        name_es="Violencia de género",
        resolution_days=1,
    )
    case_with(lighting, created=dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC))
    case_with(lighting, steps=[(2, Status.IN_PROGRESS), (23, Status.RESOLVED)], satisfaction=5)
    case_with(lighting, steps=[(4, Status.IN_PROGRESS), (48, Status.RESOLVED)], satisfaction=3)
    c3 = case_with(lighting, steps=[(10, Status.IN_PROGRESS)])
    services.withdraw_case(case=c3, reason="Identifica a una vecina")
    case_with(private, steps=[(1, Status.REJECTED)])
    case_with(private, steps=[(6, Status.IN_PROGRESS), (12, Status.RESOLVED)], satisfaction=4)
    case_with(lighting, created=dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC))
    return council, urban, social


def test_figures_match_the_hand_computed_ones(dataset):
    council, urban, social = dataset
    stats = statistics(council, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), now=NOW)

    total = stats.total
    assert total.received == 6
    assert total.median_first_response_hours == 4  # 1 2 [4] 6 10
    assert total.median_resolution_hours == 23  # 12 [23] 48
    assert (total.within_deadline, total.deadline_counted) == (2, 4)  # c1 c5 of c1 c2 c3 c5
    assert total.within_deadline_share == 0.5
    assert total.satisfaction_average == 4.0 and total.satisfaction_count == 3
    assert (total.published, total.published_share) == (3, 0.5)  # c1 c2 c6

    departments = {row.key: row.figures for row in stats.departments}
    urban_figures = departments[str(urban.pk)]
    assert urban_figures.received == 4
    assert urban_figures.median_first_response_hours == 4  # 2 [4] 10
    assert urban_figures.median_resolution_hours == 35.5  # (23 + 48) / 2
    assert (urban_figures.within_deadline, urban_figures.deadline_counted) == (1, 3)
    assert urban_figures.satisfaction_average == 4.0  # (5 + 3) / 2
    assert urban_figures.published_share == 0.75
    social_figures = departments[str(social.pk)]
    assert social_figures.received == 2
    assert social_figures.median_first_response_hours == 3.5  # (1 + 6) / 2
    assert social_figures.median_resolution_hours == 12
    assert (social_figures.within_deadline, social_figures.deadline_counted) == (1, 1)
    assert social_figures.published == 0

    categories = {row.key: row for row in stats.categories}
    assert set(categories) == {"alumbrado", PRIVATE_CATEGORIES}
    assert categories[PRIVATE_CATEGORIES].figures.received == 2
    assert "Violencia" not in categories[PRIVATE_CATEGORIES].name


def test_the_period_is_counted_in_the_councils_days(dataset):
    council, _, _ = dataset
    january = statistics(council, start=dt.date(2026, 1, 12), end=dt.date(2026, 1, 12), now=NOW)
    assert january.total.received == 1
    assert january.total.median_resolution_hours is None
    assert january.total.within_deadline_share == 0.0  # unresolved, deadline long gone
    day_after = statistics(council, start=dt.date(2026, 1, 13), end=dt.date(2026, 1, 13), now=NOW)
    assert day_after.total.received == 0 and day_after.total.within_deadline_share is None
    # 23:30 UTC on the 12th is already the 13th in Madrid
    lighting = council.categories.get(code="alumbrado")
    case_with(lighting, created=dt.datetime(2026, 1, 12, 23, 30, tzinfo=dt.UTC))
    day_after = statistics(council, start=dt.date(2026, 1, 13), end=dt.date(2026, 1, 13), now=NOW)
    assert day_after.total.received == 1


def test_the_page_shows_the_figures_but_no_private_category(client, dataset):
    client.cookies["django_language"] = "en"
    with time_machine.travel(NOW, tick=False):
        html = client.get(
            reverse("portal:statistics"), {"start": "2026-03-01", "end": "2026-03-31"}
        ).content.decode()
        csv_text = client.get(
            reverse("portal:statistics_csv"), {"start": "2026-03-01", "end": "2026-03-31"}
        ).content.decode()
    assert "4.0 h" in html and "23.0 h" in html and "35.5 h" in html
    assert "50 %" in html and "4.0 of 5" in html
    assert "Other categories (not public)" in html
    assert "Violencia" not in html and "Violencia" not in csv_text
    assert "total,total,All cases,6,3,0.5,4.0,23.0,4,2,0.5,4.0,3" in csv_text


def test_figures_of_nothing_are_empty():
    empty = figures([], now=NOW)
    assert empty.received == 0 and empty.published_share is None
    assert empty.median_first_response_hours is None and empty.satisfaction_average is None


def test_rejected_and_duplicate_cases_are_not_counted_against_the_deadline():
    late = MONDAY - dt.timedelta(days=30)
    facts = [
        CaseFacts(1, 1, True, Status.REJECTED, late, late + dt.timedelta(days=1)),
        CaseFacts(1, 1, True, Status.DUPLICATE, late, late + dt.timedelta(days=1)),
    ]
    assert figures(facts, now=NOW).deadline_counted == 0
