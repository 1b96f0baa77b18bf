"""The cases' part of data-subject rights and retention: keep the case, forget the resident.

An erased resident's cases stay (their reference, category, department, dates and status
feed the public record and the statistics); what the resident wrote or was told is removed,
the place is kept only as precisely as the public map shows it, and staff's notes and
history comments lose the resident's names and numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q, QuerySet

from ventanilla.cases.models import Case, CaseEvent, Note
from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.core.models import Council
from ventanilla.privacy.publication import public_point
from ventanilla.privacy.redaction import redact
from ventanilla.privacy.retention import Cutoffs
from ventanilla.privacy.subjects import Rows, Subject, scrub


def export(subject: Subject) -> Mapping[str, Rows]:
    cases = Case.objects.filter(citizen_id=subject.citizen_id).select_related(
        "category", "department"
    )
    return {
        "cases": [
            {
                "reference": c.reference,
                "category": c.category.name,
                "department": c.department.name,
                "status": c.get_status_display(),
                "reported_at": c.created_at,
                "description": c.description,
                "address": c.address,
                "latitude": c.latitude,
                "longitude": c.longitude,
                "public": c.is_public,
                "resolved_at": c.resolved_at,
                "closed_at": c.closed_at,
                "satisfaction": c.satisfaction,
                "satisfaction_comment": c.satisfaction_comment,
            }
            for c in cases.order_by("created_at", "id")
        ]
    }


def anonymise(cases: QuerySet[Case], subject: Subject | None = None) -> int:
    """Remove the resident's part of ``cases``; return how many cases changed.

    With a ``subject``, staff's notes and history comments lose that resident's names and
    numbers; without one (retention), they are redacted of any personal data.
    """

    def clean(text: str) -> str:
        return scrub(text, subject) if subject is not None else redact(text)

    count = 0
    for case in cases.select_for_update():
        point = public_point(case.latitude, case.longitude)
        case.latitude, case.longitude = point if point else (None, None)
        case.description = ""
        case.address = ""
        case.satisfaction_comment = ""
        case.public_summary = clean(case.public_summary)
        case.citizen = None
        case.save(
            update_fields=[
                "latitude",
                "longitude",
                "description",
                "address",
                "satisfaction_comment",
                "public_summary",
                "citizen",
            ]
        )
        for note in Note.objects.filter(case=case):
            Note.objects.filter(pk=note.pk).update(text=clean(note.text))
        for event in CaseEvent.objects.filter(case=case).exclude(comment=""):
            CaseEvent.objects.filter(pk=event.pk).update(comment=clean(event.comment))
        count += 1
    return count


@transaction.atomic
def erase(subject: Subject) -> Mapping[str, int]:
    """Keep the resident's cases, anonymised (see the module's docstring)."""
    return {
        "cases_anonymised": anonymise(Case.objects.filter(citizen_id=subject.citizen_id), subject)
    }


@transaction.atomic
def retain_closed_cases(*, council: Council, cutoffs: Cutoffs, dry_run: bool) -> int:
    """Anonymise cases closed (or rejected, resolved) before their category's cutoff."""
    old = (
        Case.objects.of(council)
        .exclude(status__in=OPEN_STATUSES)
        .filter(cutoffs.q("updated_at", "category__code"))
        .filter(Q(citizen__isnull=False) | Q(description__gt="") | Q(address__gt=""))
    )
    if dry_run:
        return old.count()
    return anonymise(old)
