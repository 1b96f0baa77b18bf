"""The summary tallies stay equal to a recount after any sequence of case changes."""

import datetime as dt
import importlib
import random
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from ventanilla.cases import services as case_services
from ventanilla.cases.access import case_scope
from ventanilla.cases.models import Case, Role
from ventanilla.cases.tests.factories import (
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.cases.workflow import ALLOWED_TRANSITIONS, Status
from ventanilla.channels.models import Channel
from ventanilla.core.models import Holiday
from ventanilla.insights import aggregates, tallies
from ventanilla.insights import figures as F
from ventanilla.insights.models import BacklogTally, Commitment, District, DurationTally, Tally
from ventanilla.insights.rollup import calendar_of, facts_of_cases
from ventanilla.insights.statistics import (
    OLDEST,
    charter,
    departments_of,
    direct_facts,
    statistics,
)
from ventanilla.insights.tests.conftest import MADRID

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=MADRID)
NOW = dt.datetime(2026, 4, 20, 12, 0, tzinfo=MADRID)
PERIODS = [
    (dt.date(2026, 1, 1), dt.date(2026, 3, 31)),  # whole months
    (dt.date(2026, 2, 10), dt.date(2026, 3, 11)),  # 30 days over two months
    (dt.date(2026, 1, 20), dt.date(2026, 4, 20)),  # edges and a whole month between
    (dt.date(2026, 3, 1), dt.date(2026, 3, 31)),
]


@pytest.fixture
def busy(db):
    """A council where 40 cases were opened, moved, reassigned, rated and reopened at random."""
    rng = random.Random(2026)
    council = make_council(name="Azar", slug="azar", time_zone="Europe/Madrid")
    Holiday.objects.create(council=council, date=dt.date(2026, 3, 19), name="San José")
    departments = [make_department(council=council, name=f"Dep {n}") for n in range(2)]
    categories = [
        make_category(
            council=council,
            department=departments[n % 2],
            code=f"c{n}",
            name_es=f"Cat {n}",
            resolution_days=2 + n,
        )
        for n in range(3)
    ]
    Commitment.objects.create(category=categories[0], working_days=2, statement="En 2 días")
    Commitment.objects.create(category=categories[2], working_days=4, statement="En 4 días")
    District.objects.create(council=council, name="Norte", south=40.0, north=40.5, west=-4, east=-3)
    channels = [
        Channel.objects.create(council=council, provider=p, name=p) for p in ("whatsapp", "line")
    ]
    agents = [
        make_staff(council=council, departments=(departments[n % 2],), username=f"agente{n}")
        for n in range(3)
    ]
    moments = sorted(
        START + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 100)) for _ in range(160)
    )
    cases: list[Case] = []
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            if len(cases) < 40 and (not cases or rng.random() < 0.35):
                cases.append(
                    case_services.open_case(
                        category=rng.choice(categories),
                        description="Algo pasa",
                        channel=rng.choice([None, *channels]),
                        latitude=rng.choice([None, 40.2, 41.0]),
                        longitude=-3.5,
                    )
                )
                continue
            i = rng.randrange(len(cases))
            case = Case.objects.get(pk=cases[i].pk)
            action = rng.random()
            if action < 0.1:
                case = case_services.change_category(case=case, category=rng.choice(categories))
            elif action < 0.2:
                case = case_services.assign_case(case=case, agent=rng.choice([None, *agents]))
            elif action < 0.3 and case.status in (Status.RESOLVED, Status.CLOSED):
                case = case_services.record_satisfaction(case=case, score=rng.randint(1, 5))
            else:
                allowed = sorted(ALLOWED_TRANSITIONS[Status(case.status)])
                if allowed:
                    case = case_services.change_status(case=case, status=rng.choice(allowed))
            cases[i] = case
    supervisor = make_staff(council=council, role=Role.SUPERVISOR, username="super")
    return council, supervisor, agents


def test_tallies_equal_a_recount_after_random_changes(busy):
    council, _supervisor, _agents = busy
    assert Case.objects.filter(council=council).count() == 40
    kept = tallies.stored(council=council)
    recount = tallies.recount(council=council)
    assert kept == recount
    assert any(key[3] == "agent" for key in kept[0])  # the random walk reached every kind
    assert any(key[5] == "charter" for key in kept[1])
    assert {key[0] for key in kept[2]} == {"created", "due"}
    # and the SQL rebuild (the command) writes the same rows
    Tally.objects.filter(council=council).update(received=99)
    DurationTally.objects.filter(council=council).delete()
    BacklogTally.objects.filter(council=council).update(n=7)
    call_command("insights_rebuild", council="azar", verbosity=0)
    assert tallies.stored(council=council) == recount


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_figures_from_the_tallies_equal_the_direct_computation(busy, start, end):
    council, supervisor, agents = busy
    with time_machine.travel(NOW, tick=False):
        for user in (supervisor, agents[0]):
            fast = statistics(council, user=user, start=start, end=end)
            direct = statistics(council, user=user, start=start, end=end, reader=direct_facts)
            assert fast.total == direct.total
            assert fast.previous == direct.previous
            assert fast.breakdowns == direct.breakdowns
            assert fast.volumes == direct.volumes
            assert fast.backlog == direct.backlog
    assert fast.total.received > 0


def _charter_by_hand(council, start, end, now):
    calendar = calendar_of(council)
    terms = {c.category_id: c.working_days for c in Commitment.objects.all()}
    since = dt.datetime.combine(start, dt.time(0, 0), tzinfo=MADRID)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0, 0), tzinfo=MADRID)
    counts = defaultdict(lambda: [0, 0])
    for case in Case.objects.filter(
        council=council, category_id__in=terms, created_at__gte=since, created_at__lt=until
    ).exclude(status__in=sorted(F.NOT_TO_RESOLVE)):
        key = (case.category.name, case.created_at.astimezone(MADRID).date().replace(day=1))
        days = terms[case.category_id]
        if case.resolved_at is not None:
            took = F.to_minute(
                F.working_days_between(case.created_at, case.resolved_at, calendar), 1440
            )
            counts[key][0] += 1
            counts[key][1] += took <= days
        elif F.working_days_between(case.created_at, now, calendar) > days:
            counts[key][0] += 1
    return {k: tuple(v) for k, v in counts.items() if v[0]}


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_charter_from_the_tallies_equals_a_count_by_hand(busy, start, end):
    council, _supervisor, _agents = busy
    with time_machine.travel(NOW, tick=False):
        rows = charter(council, start=start, end=end, now=NOW)
    got = {
        (row.category, month.month): (month.counted, month.met)
        for row in rows
        for month in row.months
        if month.counted
    }
    assert got == _charter_by_hand(council, start, end, NOW)


def test_backlog_from_its_tally_equals_the_open_cases_at_any_moment(busy):
    """Ages are whole days of 24 hours: try moments just at, before and after a band's edge."""
    council, supervisor, agents = busy
    rng = random.Random(14)
    created = sorted(
        Case.objects.filter(council=council).open().values_list("created_at", flat=True)
    )
    assert len(created) >= 10
    moments = [START + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 200)) for _ in range(12)]
    for days in (0, 7, 8, 30, 31, 90, 91):
        for moment in rng.sample(created, 3):
            for nudge in (-1, 0, 1):
                moments.append(moment + dt.timedelta(days=days, microseconds=nudge))
    moments.append(created[len(created) // 2])  # some cases are in the future then
    for user in (supervisor, agents[0]):
        cases = Case.objects.of(council).filter(case_scope(user)).open()
        facts = [fact for _, fact in facts_of_cases(cases, council)]
        for now in moments:
            fast = aggregates.backlog(
                council, departments_of(user, council), now=now, oldest=OLDEST
            )
            assert fast == F.backlog(facts, now=now, oldest=OLDEST), now


def test_upgrade_writes_the_new_rows_a_recount_gives(busy):
    """The migrations that add the week and year rows and the backlog table fill them right."""
    council, _supervisor, _agents = busy
    recount = tallies.recount(council=council)
    Tally.objects.filter(grain__in=["week", "year"]).delete()
    DurationTally.objects.filter(grain__in=["week", "year"]).delete()
    BacklogTally.objects.all().delete()
    weeks = importlib.import_module("ventanilla.insights.migrations.0004_week_and_year_tallies")
    backlog = importlib.import_module("ventanilla.insights.migrations.0003_backlog_tally")
    editor = _Editor()  # all the migrations use of a schema editor (SQLite's won't nest)
    weeks.add_weeks_and_years(None, editor)
    backlog.count_open_cases(None, editor)
    assert tallies.stored(council=council) == recount


class _Editor:
    connection = connection

    def execute(self, sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
