"""The portal's part of data-subject rights: supports given from the chat, staff-only drafts.

The public record itself stays: it was redacted and approved for everyone to read. Must run
before ``cases`` erases, which unlinks the resident from their cases.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ventanilla.portal.models import PublicRecord, Support
from ventanilla.privacy.subjects import Rows, Subject


def export(subject: Subject) -> Mapping[str, Rows]:
    supports = Support.objects.filter(citizen_id=subject.citizen_id).select_related("record")
    return {
        "supports": [
            {"case": s.record.reference, "at": s.created_at} for s in supports.order_by("pk")
        ]
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
    return {"supports_unlinked": supports, "draft_summaries": drafts}
