"""Keep ``CaseFigures`` in step with the cases: one row per case, rewritten when it changes.

Each rewrite also moves the case's counts in the summary tallies (``tallies.apply``).

The reactions run inside the case's transaction (wired in ``ventanilla/wiring.py``), so
the row commits with the change; ``rebuild`` rewrites a council's rows in batches (after
its holidays change, or after a bulk load such as the demo's history).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.reactions import CaseChanged, CaseOpened
from ventanilla.cases.workflow import Status
from ventanilla.core import batch_reads
from ventanilla.core.models import Council
from ventanilla.insights import figures as F
from ventanilla.insights import tallies
from ventanilla.insights.models import CaseFigures, District

BATCH = 2000
_FIELDS = (
    "pk",
    "reference",
    "department_id",
    "category_id",
    "status",
    "created_at",
    "due_at",
    "channel__provider",
    "latitude",
    "longitude",
    "assignee_id",
    "first_responded_at",
    "resolved_at",
    "reopened",
    "satisfaction",
    "category__public_by_default",
)


def calendar_of(council: Council) -> F.Calendar:
    """Return the council's working time."""
    return F.Calendar(
        tz=council.tz,
        holidays=council.holiday_dates(),
        opens=council.office_opens,
        closes=council.office_closes,
    )


def district_of(
    districts: Sequence[District], latitude: float | None, longitude: float | None
) -> int | None:
    """Return the id of the first district that holds the point, or None."""
    for district in districts:
        if district.holds(latitude, longitude):
            return district.pk
    return None


def _rows(cases: QuerySet[Case]) -> Iterator[tuple[int, F.CaseFacts, float | None, float | None]]:
    reopened = CaseEvent.objects.filter(
        case=OuterRef("pk"), kind=CaseEvent.Kind.STATUS, to_value=Status.REOPENED
    )
    for row in (
        cases.annotate(reopened=Exists(reopened))
        .values_list(*_FIELDS)
        .order_by()
        .iterator(chunk_size=BATCH)
    ):
        (pk, reference, department, category, status, created, due, channel, lat, lon) = row[:10]
        assignee, first, resolved, was_reopened, satisfaction, public = row[10:]
        yield (
            pk,
            F.CaseFacts(
                reference=reference,
                department_id=department,
                category_id=category,
                status=status,
                created_at=created,
                due_at=due,
                channel=channel or "",
                assignee_id=assignee,
                first_responded_at=first,
                resolved_at=resolved,
                reopened=was_reopened,
                satisfaction=satisfaction,
                public_category=public,
            ),
            lat,
            lon,
        )


def _new_case_facts(case: Case) -> tuple[int, F.CaseFacts, float | None, float | None]:
    """Return what ``_rows`` gives for a case just opened, from the case itself: it has no
    history to read yet (it was never reopened)."""
    fact = F.CaseFacts(
        reference=case.reference,
        department_id=case.department_id,
        category_id=case.category_id,
        status=case.status,
        created_at=case.created_at,
        due_at=case.due_at,
        channel=case.channel.provider if case.channel else "",
        assignee_id=case.assignee_id,
        first_responded_at=case.first_responded_at,
        resolved_at=case.resolved_at,
        reopened=False,
        satisfaction=case.satisfaction,
        public_category=case.category.public_by_default,
    )
    return case.pk, fact, case.latitude, case.longitude


def facts_of_cases(cases: QuerySet[Case], council: Council) -> list[tuple[int, F.CaseFacts]]:
    """Return (case id, facts with working times and district) of ``cases`` of ``council``."""
    return _completed(_rows(cases), council)


def _completed(
    rows: Iterable[tuple[int, F.CaseFacts, float | None, float | None]], council: Council
) -> list[tuple[int, F.CaseFacts]]:
    """Return (case id, facts) of ``rows`` with the council's working times and districts."""
    calendar = calendar_of(council)
    districts = batch_reads.once(
        ("districts", council.pk), lambda: list(District.objects.filter(council=council))
    )
    out = []
    for pk, fact, lat, lon in rows:
        fact = F.with_working_time(fact, calendar)
        if districts:
            fact = replace(fact, district_id=district_of(districts, lat, lon))
        out.append((pk, fact))
    return out


def _row(pk: int, council: Council, fact: F.CaseFacts) -> CaseFigures:
    tz = council.tz
    return CaseFigures(
        case_id=pk,
        council=council,
        day=fact.created_at.astimezone(tz).date(),
        resolved_day=fact.resolved_at.astimezone(tz).date() if fact.resolved_at else None,
        reference=fact.reference,
        department_id=fact.department_id,
        category_id=fact.category_id,
        channel=fact.channel,
        district_id=fact.district_id,
        assignee_id=fact.assignee_id,
        status=fact.status,
        created_at=fact.created_at,
        due_at=fact.due_at,
        first_responded_at=fact.first_responded_at,
        resolved_at=fact.resolved_at,
        reopened=fact.reopened,
        satisfaction=fact.satisfaction,
        public_category=fact.public_category,
        first_response_hours=fact.first_response_hours,
        resolution_days=fact.resolution_days,
    )


def _figures(council: Council, ids: list[int]) -> list[CaseFigures]:
    """Return the rows of the cases ``ids`` of ``council`` as they are now (not saved)."""
    return [
        _row(pk, council, fact)
        for pk, fact in facts_of_cases(Case.objects.filter(pk__in=ids), council)
    ]


def refresh_cases(*, council: Council, cases: Iterable[Case]) -> int:
    """Rewrite the rows of ``cases`` (all of ``council``); return how many were written."""
    ids = [case.pk for case in cases]
    rows = _figures(council, ids)
    # No savepoint: nothing between here and the reaction's own catches a failure.
    with transaction.atomic(savepoint=False):
        old = list(CaseFigures.objects.select_for_update().filter(case_id__in=ids))
        CaseFigures.objects.filter(case_id__in=ids).delete()
        CaseFigures.objects.bulk_create(rows, batch_size=BATCH)
        tallies.apply(council=council, old=old, new=rows)
    return len(rows)


def rebuild(*, council: Council) -> int:
    """Rewrite every row of ``council``; return how many cases it has."""
    written = 0
    with transaction.atomic():
        CaseFigures.objects.filter(council=council).delete()
        batch: list[CaseFigures] = []
        for pk, fact in facts_of_cases(Case.objects.of(council), council):
            batch.append(_row(pk, council, fact))
            if len(batch) >= BATCH:
                CaseFigures.objects.bulk_create(batch)
                written += len(batch)
                batch = []
        CaseFigures.objects.bulk_create(batch)
        written += len(batch)
        tallies.rebuild(council=council)
    return written


def case_opened(event: CaseOpened) -> None:
    """Write the new case's row from the case itself (it has no row to replace: nothing is
    read or deleted first)."""
    council = event.case.council
    facts = _completed([_new_case_facts(event.case)], council)
    rows = [_row(pk, council, fact) for pk, fact in facts]
    with transaction.atomic(savepoint=False):
        CaseFigures.objects.bulk_create(rows)
        tallies.apply(council=council, old=[], new=rows)


def case_changed(event: CaseChanged) -> None:
    """Rewrite the changed case's row."""
    refresh_cases(council=event.case.council, cases=[event.case])
