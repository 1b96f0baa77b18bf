"""The write path of procedures: census imports, identity checks, documents, registry entries.

Keyword-only, typed, each under ``transaction.atomic``; every step a resident or a staff
member takes is appended to ``AuditEvent`` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from ventanilla.core.actors import Actor
from ventanilla.core.models import Council
from ventanilla.procedures.census import CensusRow, parse_row
from ventanilla.procedures.models import AuditEvent, AuditKind, CensusRecord

BATCH = 2000
_FIELDS = (
    "given_name",
    "surname1",
    "surname2",
    "birth_date",
    "address",
    "district",
    "phone",
    "email",
    "household",
    "registered_since",
)


# -- audit -------------------------------------------------------------------------------


def audit(
    *,
    council: Council,
    kind: AuditKind,
    who: str = "",
    by: Actor = None,
    detail: Mapping[str, Any] | None = None,
    **links: Any,
) -> AuditEvent:
    """Append one audit event (``links``: ``identity_check``, ``document``)."""
    return AuditEvent.objects.create(
        council=council,
        kind=kind,
        who=who or (by.get_username() if by is not None else ""),
        user=by,
        detail=dict(detail or {}),
        **links,
    )


# -- census import -----------------------------------------------------------------------


@dataclass
class BadRow:
    line: int
    problem: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    bad: list[BadRow] = field(default_factory=list)


class CensusImportError(Exception):
    """The file has bad rows (or none at all): nothing was imported."""

    def __init__(self, report: ImportReport, message: str = "") -> None:
        super().__init__(message or f"{len(report.bad)} bad rows")
        self.report = report


def import_census(
    *,
    council: Council,
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    by: Actor,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Replace ``council``'s census register with ``rows`` (line number, raw row).

    All or nothing: a bad row (or a DNI listed twice) imports nothing and is reported.
    A person in the register but not in the file stays, marked as no longer in the register
    (not certifiable); one who comes back is certifiable again.
    """
    report = ImportReport()
    parsed: dict[str, CensusRow] = {}
    for count, (line, raw) in enumerate(rows, start=1):
        try:
            row = parse_row(raw)
        except ValueError as exc:
            report.bad.append(BadRow(line, str(exc)))
        else:
            if row.dni in parsed:
                report.bad.append(BadRow(line, f"dni: listed twice (…{row.dni[-4:]})"))
            parsed[row.dni] = row
        if progress is not None and count % 1000 == 0:
            progress(count)
    if report.bad:
        raise CensusImportError(report)
    if not parsed:
        raise CensusImportError(report, "the file lists nobody")
    with transaction.atomic():
        _store(council, parsed, report, progress)
        audit(
            council=council,
            kind=AuditKind.CENSUS_IMPORTED,
            by=by,
            detail={
                "created": report.created,
                "updated": report.updated,
                "left": report.left,
                "people": len(parsed),
            },
        )
    return report


def _store(
    council: Council,
    parsed: dict[str, CensusRow],
    report: ImportReport,
    progress: Callable[[int], None] | None,
) -> None:
    now = timezone.now()
    existing = {
        values[1]: values
        for values in CensusRecord.objects.filter(council=council).values_list(
            "pk", "dni", "active", *_FIELDS
        )
    }
    new: list[CensusRecord] = []
    changed: list[CensusRecord] = []
    for dni, row in parsed.items():
        values = tuple(getattr(row, name) for name in _FIELDS)
        before = existing.get(dni)
        if before is None:
            new.append(CensusRecord(council=council, dni=dni, imported_at=now, **_row(row)))
        elif before[2] and tuple(before[3:]) == values:
            report.unchanged += 1
        else:
            changed.append(
                CensusRecord(pk=before[0], dni=dni, active=True, imported_at=now, **_row(row))
            )
    for start in range(0, len(new), BATCH):
        CensusRecord.objects.bulk_create(new[start : start + BATCH])
        if progress is not None:
            progress(len(parsed) + start + BATCH)
    # One UPDATE per changed person: bulk_update's CASE per column grows quadratically.
    for record in changed:
        CensusRecord.objects.filter(pk=record.pk).update(
            active=True, imported_at=now, **{name: getattr(record, name) for name in _FIELDS}
        )
    gone = [v[0] for dni, v in existing.items() if v[2] and dni not in parsed]
    for start in range(0, len(gone), BATCH):
        CensusRecord.objects.filter(pk__in=gone[start : start + BATCH]).update(
            active=False, imported_at=now
        )
    report.created, report.updated, report.left = len(new), len(changed), len(gone)


def _row(row: CensusRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _FIELDS}


def view_census_record(*, council: Council, dni: str, by: Actor) -> CensusRecord | None:
    """Return the census record of ``dni`` for a staff member, and audit that they looked."""
    if by is None or not by.has_perm("procedures.view_censusrecord"):
        raise PermissionError("not allowed to read the census register")
    record = CensusRecord.objects.filter(council=council, dni=dni).first()
    audit(
        council=council,
        kind=AuditKind.CENSUS_VIEWED,
        by=by,
        detail={"dni_end": dni[-4:], "found": record is not None},
    )
    return record


def birth_matches(record: CensusRecord | None, birth: dt.date) -> bool:
    return record is not None and record.birth_date == birth
