"""Every figure of the hand-made council, computed from the cases and from the rollup."""

import pytest
import time_machine

from ventanilla.cases.models import Case
from ventanilla.insights import rollup
from ventanilla.insights.statistics import direct_facts, statistics
from ventanilla.insights.tests.conftest import EXPECTED, MARCH, NOW

pytestmark = pytest.mark.django_db


def _round(value):
    return round(value, 6) if isinstance(value, float) else value


def observed(stats):
    t, b = stats.total, stats.backlog
    return {k: _round(v) for k, v in _observed(t, b, stats).items()}


def _observed(t, b, stats):
    return {
        "received": t.received,
        "resolved": t.resolved,
        "first_response_median_hours": t.first_response_hours.median,
        "first_response_p90_hours": t.first_response_hours.p90,
        "resolution_median_days": t.resolution_days.median,
        "resolution_p90_days": t.resolution_days.p90,
        "deadline_counted": t.deadline_counted,
        "on_time": t.on_time,
        "ever_resolved": t.ever_resolved,
        "reopened": t.reopened,
        "satisfaction": t.satisfaction,
        "satisfaction_average": t.satisfaction_average,
        "backlog_open": b.open,
        "backlog_overdue": b.overdue,
        "backlog_ages": b.ages,
        "backlog_median_age_days": b.median_age_days,
        "previous_received": stats.previous.received,
        "previous_resolved": stats.previous.resolved,
    }


def march(user, **kw):
    with time_machine.travel(NOW, tick=False):
        return statistics(user.staff.council, user=user, start=MARCH[0], end=MARCH[1], **kw)


def test_direct_computation_gives_the_figures_worked_out_by_hand(town):
    assert observed(march(town.supervisor, reader=direct_facts)) == EXPECTED


def test_rollup_kept_by_the_reactions_gives_the_same_figures(town):
    direct = march(town.supervisor, reader=direct_facts)
    fast = march(town.supervisor)
    assert observed(fast) == EXPECTED
    assert fast.breakdowns == direct.breakdowns
    assert fast.volumes == direct.volumes


def test_rebuild_after_a_bulk_change_matches_the_cases(town):
    Case.objects.filter(pk=town.cases.c3.pk).update(satisfaction=1)  # behind the services' back
    assert rollup.rebuild(council=town.council) == 7
    direct = march(town.supervisor, reader=direct_facts)
    assert march(town.supervisor).total == direct.total
    assert direct.total.satisfaction[1] == 1


def test_breakdowns_by_department_category_channel_district_and_agent(town):
    stats = march(town.supervisor)

    def table(dimension):
        return {
            r.name: (r.figures.received, r.figures.resolved) for r in stats.breakdowns[dimension]
        }

    assert table("department") == {"Servicios Urbanos": (2, 3), "Limpieza": (3, 0)}
    assert table("category") == {"Alumbrado": (2, 3), "Limpieza viaria": (3, 0)}
    assert table("channel") == {"WhatsApp": (1, 1), "Telegram": (1, 1), "Staff or other": (3, 1)}
    assert table("district") == {"Centro": (1, 1), "No location": (4, 2)}
    assert table("agent") == {"Ana Ruiz": (1, 1), "Unassigned": (4, 2)}
    [urban] = [r for r in stats.breakdowns["department"] if r.name == "Servicios Urbanos"]
    assert (urban.figures.on_time, urban.figures.deadline_counted) == (1, 2)


def test_volumes_per_week_and_oldest_cases_by_reference(town):
    stats = march(town.supervisor, granularity="week")
    by_week = {p.start.isoformat(): (p.received, p.resolved) for p in stats.volumes}
    assert by_week["2026-03-16"] == (4, 1)  # c1, c2, c3, c4 in; c1 out
    assert by_week["2026-03-23"] == (0, 1)  # c2 out
    assert by_week["2026-03-30"] == (1, 0)
    assert stats.backlog.oldest == [(town.cases.c3.reference, 13), (town.cases.c5.reference, 4)]


def test_comments_are_redacted(town):
    comments = march(town.supervisor).comments
    assert "Tardaron mucho" in comments
    assert not any("12345678Z" in c for c in comments)
    assert any(c.startswith("Muy rápido, gracias.") for c in comments)


def test_an_agent_sees_only_their_departments(town):
    stats = march(town.agent_cleaning)
    assert stats.total.received == 3
    assert {r.name for r in stats.breakdowns["department"]} == {"Limpieza"}
    assert stats.comments == []
    assert stats.backlog.open == 2


def test_charter_share_met_per_month(town):
    from ventanilla.insights.statistics import charter

    with time_machine.travel(NOW, tick=False):
        rows = charter(town.council, start=MARCH[0], end=MARCH[1])
    [row] = rows
    # c1 in 2 working days (met); c2 first resolved in 2, finally in 4 (> 3: not met)
    assert (row.counted, row.met) == (2, 1)
    assert row.months[0].share == 0.5
