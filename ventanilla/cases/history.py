"""A case's history as people read it: labels for the values each entry stores.

Entries store what does not change: status and priority codes, category codes, department
ids, case references. The words shown are looked up when the history is read, so a renamed
department shows its current name all along its history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ventanilla.cases.models import CaseEvent, Department, LocationSource, Priority
from ventanilla.cases.workflow import Status


@dataclass(frozen=True)
class HistoryLine:
    """One history entry with its values ready to show (``—`` when empty)."""

    event: CaseEvent
    before: str
    after: str


def department_ids(events: Iterable[CaseEvent]) -> set[int]:
    """Return the ids of the departments named by department entries of ``events``."""
    return {
        int(value)
        for event in events
        if event.kind == CaseEvent.Kind.DEPARTMENT
        for value in (event.from_value, event.to_value)
        if value.isdigit()
    }


def label(event: CaseEvent, value: str, departments: dict[int, Department]) -> str:
    """Return ``value`` of ``event`` as people read it."""
    if not value:
        return "—"
    if event.kind in (CaseEvent.Kind.STATUS, CaseEvent.Kind.CREATED):
        try:
            return str(Status(value).label)
        except ValueError:
            return value
    if event.kind == CaseEvent.Kind.PRIORITY:
        try:
            return str(Priority(int(value)).label)
        except ValueError:
            return value
    if event.kind == CaseEvent.Kind.LOCATION:
        point, _sep, source = value.partition(";")
        try:
            return f"{point} ({LocationSource(source).label})" if source else point
        except ValueError:
            return point
    if event.kind == CaseEvent.Kind.DEPARTMENT and value.isdigit():
        department = departments.get(int(value))
        return department.name if department is not None else value
    return value


def history_lines(events: Iterable[CaseEvent]) -> list[HistoryLine]:
    """Return ``events`` labelled, looking their departments up in one query."""
    events = list(events)
    ids = department_ids(events)
    departments = Department.objects.in_bulk(ids) if ids else {}
    return [
        HistoryLine(
            event=event,
            before=label(event, event.from_value, departments),
            after=label(event, event.to_value, departments),
        )
        for event in events
    ]
