import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection, transaction

from ventanilla.cases import services
from ventanilla.cases.models import Case, CaseEvent, Priority, ReferenceSequence, Role
from ventanilla.cases.tests.factories import (
    make_case,
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.cases.workflow import Status
from ventanilla.core.models import Holiday, LiveEvent

pytestmark = pytest.mark.django_db(transaction=True)


@time_machine.travel(dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC), tick=False)
def test_open_case_routes_to_department_with_deadlines_and_reference():
    council = make_council()
    Holiday.objects.create(council=council, date=dt.date(2026, 12, 7), name="Puente")
    Holiday.objects.create(council=council, date=dt.date(2026, 12, 8), name="Inmaculada")
    category = make_category(council=council, resolution_days=1, first_response_hours=4)
    case = make_case(category=category, urn="whatsapp:34600111222")
    assert case.reference == "2026-000001"
    assert case.department == category.department
    assert case.status == Status.NEW
    # Friday 12:00 Madrid + 1 working day, skipping the weekend and two holidays
    assert case.due_at == dt.datetime(2026, 12, 9, 11, 0, tzinfo=dt.UTC)
    # 2 office hours on Friday (12-14), 2 more on Wednesday (9-11 Madrid = 8-10 UTC)
    assert case.first_response_due_at == dt.datetime(2026, 12, 9, 10, 0, tzinfo=dt.UTC)
    assert case.events.exclude(kind=CaseEvent.Kind.PUBLICATION).get().kind == CaseEvent.Kind.CREATED
    assert LiveEvent.objects.filter(kind="case", data__reference=case.reference).exists()


def test_reference_numbers_restart_each_year_per_council():
    a, b = make_council(), make_council()
    cat_a, cat_b = make_category(council=a), make_category(council=b)
    with time_machine.travel(dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC), tick=False):
        assert [make_case(category=cat_a).reference for _ in range(2)] == [
            "2026-000001",
            "2026-000002",
        ]
        assert make_case(category=cat_b).reference == "2026-000001"
    # 23:30 UTC on 31 December is already 2027 in Madrid
    with time_machine.travel(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        assert make_case(category=cat_a).reference == "2027-000001"


class Boom(Exception):
    pass


@time_machine.travel(dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC), tick=False)
def test_a_reference_taken_by_a_case_that_failed_is_never_given_again():
    category = make_category(council=make_council())
    first = make_case(category=category)
    with pytest.raises(Boom), transaction.atomic():
        failed = make_case(category=category)
        raise Boom  # e.g. the database refuses a later write of the same transaction
    after = make_case(category=category)
    assert Case.objects.filter(category=category).count() == 2  # the failed one is not kept
    if connection.vendor == "postgresql":  # numbers from a sequence: a gap, never a reuse
        assert [first.reference, failed.reference, after.reference] == [
            "2026-000001",
            "2026-000002",
            "2026-000003",
        ]
    else:  # SQLite, one writer at a time: taken under the row's lock, undone with the case
        assert [first.reference, after.reference] == ["2026-000001", "2026-000002"]


@time_machine.travel(dt.datetime(2026, 12, 4, 11, 0, tzinfo=dt.UTC), tick=False)
def test_references_go_on_after_the_last_number_the_council_gave():
    council = make_council()
    category = make_category(council=council)
    ReferenceSequence.objects.create(council=council, year=2026, last_number=41)
    assert make_case(category=category).reference == "2026-000042"
    assert make_case(category=category).reference == "2026-000043"


def test_every_change_writes_history_with_who_from_and_to():
    council = make_council()
    dept_a, dept_b = make_department(council=council), make_department(council=council)
    category = make_category(council=council, department=dept_a, code="baches")
    other = make_category(council=council, department=dept_b, code="alumbrado", resolution_days=30)
    agent = make_staff(council=council, departments=(dept_a,), username="ana")
    case = make_case(category=category)
    services.assign_case(case=case, agent=agent, by=agent)
    services.set_priority(case=case, priority=Priority.URGENT, by=agent, comment="colegio")
    case = services.change_category(case=case, category=other, by=agent)
    rows = list(
        case.events.exclude(kind=CaseEvent.Kind.PUBLICATION).values_list(
            "kind", "from_value", "to_value", "actor__username"
        )
    )
    assert rows == [
        ("created", "", "new", None),
        ("assignee", "", "ana", "ana"),
        ("status", "new", "assigned", "ana"),
        ("priority", "2", "4", "ana"),
        ("category", "baches", "alumbrado", "ana"),
        ("department", str(dept_a.pk), str(dept_b.pk), "ana"),
    ]
    case.refresh_from_db()
    assert case.department == dept_b and case.assignee is None
    assert (case.due_at - case.created_at).days >= 30  # recomputed from the new category


def test_cross_council_changes_are_refused():
    a, b = make_council(), make_council()
    case = make_case(category=make_category(council=a))
    with pytest.raises(services.CaseError):
        services.transfer_case(case=case, department=make_department(council=b))
    with pytest.raises(services.CaseError):
        services.assign_case(case=case, agent=make_staff(council=b))
    with pytest.raises(services.CaseError):
        services.mark_duplicate(case=case, of=make_case(category=make_category(council=b)))
    assert case.events.exclude(kind=CaseEvent.Kind.PUBLICATION).count() == 1


def test_duplicate_points_to_the_original():
    council = make_council()
    category = make_category(council=council)
    original, copy = make_case(category=category), make_case(category=category)
    services.mark_duplicate(case=copy, of=original, comment="misma farola")
    copy.refresh_from_db()
    assert copy.status == Status.DUPLICATE and copy.duplicate_of == original


def test_notes_are_internal_and_not_empty():
    case = make_case(category=make_category(council=make_council()))
    with pytest.raises(services.CaseError):
        services.add_note(case=case, author=None, text="   ")
    note = services.add_note(case=case, author=None, text="Llamar a la brigada")
    assert list(case.notes.all()) == [note]
    assert case.messages.count() == 0  # a note never becomes a message to the resident


def test_duplicate_satisfaction_and_first_response_are_in_the_history():
    council = make_council()
    category = make_category(council=council)
    original, copy = make_case(category=category), make_case(category=category)
    services.mark_duplicate(case=copy, of=original)
    services.record_first_response(case=original)
    services.record_first_response(case=original)  # only the first one counts
    services.record_satisfaction(case=original, score=4, comment="Rápido")
    kinds = [
        (e.kind, e.from_value, e.to_value)
        for e in CaseEvent.objects.filter(case__in=[original, copy]).exclude(
            kind__in=[CaseEvent.Kind.CREATED, CaseEvent.Kind.STATUS, CaseEvent.Kind.PUBLICATION]
        )
    ]
    assert kinds == [
        ("duplicate_of", "", original.reference),
        ("first_response", "", ""),
        ("satisfaction", "", "4"),
    ]


@pytest.fixture
def scoped():
    council = make_council()
    mine, other = make_department(council=council), make_department(council=council)
    return SimpleNamespace(
        council=council,
        case=make_case(category=make_category(council=council, department=other)),
        agent=make_staff(council=council, departments=(mine,)),
        supervisor=make_staff(council=council, role=Role.SUPERVISOR),
        auditor=make_staff(council=council, role=Role.AUDITOR),
        stranger=make_staff(council=make_council(), role=Role.SUPERVISOR),
    )


@pytest.mark.parametrize("who", ["agent", "auditor", "stranger"])
def test_staff_may_not_change_cases_out_of_their_role_or_scope(scoped, who):
    by = getattr(scoped, who)
    with pytest.raises(services.NotAllowed):
        services.change_status(case=scoped.case, status=Status.IN_PROGRESS, by=by)
    with pytest.raises(services.NotAllowed):
        services.add_note(case=scoped.case, author=by, text="hola")
    with pytest.raises(services.NotAllowed):
        services.set_priority(case=scoped.case, priority=Priority.URGENT, by=by)
    assert scoped.case.events.exclude(kind=CaseEvent.Kind.PUBLICATION).count() == 1
    assert not scoped.case.notes.exists()


def test_supervisors_and_the_system_may_change_any_case_of_the_council(scoped):
    services.change_status(case=scoped.case, status=Status.IN_PROGRESS, by=scoped.supervisor)
    services.change_status(case=scoped.case, status=Status.RESOLVED, by=None)
    assert scoped.case.events.filter(kind=CaseEvent.Kind.STATUS).count() == 2
