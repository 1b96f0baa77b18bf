"""The portal's part of data-subject rights: supports given from the chat, staff-only drafts,
photos sent with the report form.

The public record itself stays: it was redacted and approved for everyone to read. Must run
before ``cases`` erases, which unlinks the resident from their cases.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ventanilla.portal.models import FormReport, PublicRecord, Support
from ventanilla.privacy.subjects import Rows, Subject


def export(subject: Subject) -> Mapping[str, Rows]:
    supports = Support.objects.filter(citizen_id=subject.citizen_id).select_related("record")
    reports = FormReport.objects.filter(case__citizen_id=subject.citizen_id).select_related("case")
    return {
        "supports": [
            {"case": s.record.reference, "at": s.created_at} for s in supports.order_by("pk")
        ],
        "form_reports": [
            {"case": r.case.reference, "at": r.created_at, "photo": bool(r.photo)}
            for r in reports.order_by("pk")
        ],
    }


@transaction.atomic
def erase(subject: Subject) -> Mapping[str, int]:
    """Keep supports (they are counted) without the resident; drop drafts of their words."""
    supports = Support.objects.filter(citizen_id=subject.citizen_id).update(citizen=None)
    drafts = (
        PublicRecord.objects.filter(case__citizen_id=subject.citizen_id)
        .exclude(summary_draft="")
        .update(summary_draft="")
    )
    photos = 0
    for report in FormReport.objects.filter(case__citizen_id=subject.citizen_id).exclude(photo=""):
        report.photo.delete(save=True)
        photos += 1
    return {"supports_unlinked": supports, "draft_summaries": drafts, "form_photos": photos}
