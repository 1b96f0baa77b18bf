import itertools

import pytest

from ventanilla.cases import services
from ventanilla.cases.models import CaseEvent
from ventanilla.cases.tests.factories import make_case, make_category, make_council
from ventanilla.cases.workflow import (
    ALLOWED_TRANSITIONS,
    IllegalTransition,
    Status,
    check_transition,
)

ALL_PAIRS = list(itertools.product(Status, Status))


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(current, target):
    if target in ALLOWED_TRANSITIONS[current]:
        check_transition(current, target)
    else:
        with pytest.raises(IllegalTransition) as error:
            check_transition(current, target)
        assert str(current.label) in str(error.value)
        assert str(target.label) in str(error.value)


def test_the_documented_path_is_walkable():
    path = [
        Status.NEW,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.WAITING_RESIDENT,
        Status.IN_PROGRESS,
        Status.RESOLVED,
        Status.REOPENED,
        Status.RESOLVED,
        Status.CLOSED,
    ]
    for current, target in itertools.pairwise(path):
        check_transition(current, target)


def path_to(status):
    """A legal route from NEW to ``status`` (breadth-first over the table)."""
    routes = {Status.NEW: []}
    frontier = [Status.NEW]
    while frontier:
        nxt = []
        for current in frontier:
            for target in ALLOWED_TRANSITIONS[current]:
                if target not in routes:
                    routes[target] = [*routes[current], target]
                    nxt.append(target)
        frontier = nxt
    return routes[status]


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_change_status_service_follows_the_table(current, target):
    case = make_case(category=make_category(council=make_council()))
    for step in path_to(current):
        case = services.change_status(case=case, status=step)
    history_before = case.events.count()
    if target in ALLOWED_TRANSITIONS[current]:
        case = services.change_status(case=case, status=target, comment="because")
        case.refresh_from_db()
        assert case.status == target
        last = case.events.last()
        assert (last.kind, last.from_value, last.to_value, last.comment) == (
            CaseEvent.Kind.STATUS,
            current,
            target,
            "because",
        )
    else:
        with pytest.raises(IllegalTransition):
            services.change_status(case=case, status=target)
        case.refresh_from_db()
        assert case.status == current
        assert case.events.count() == history_before
