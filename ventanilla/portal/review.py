"""What staff look at before a case's public record shows more: the proposed summary with
what the redaction removed and where it was unsure, and the resident's photos.

Reads only; the changes are ``portal.services``. The inbox and the API show the same review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import QuerySet

from ventanilla.cases.models import Case
from ventanilla.conversations.models import Attachment, Direction
from ventanilla.portal.models import PublicPhoto, PublicRecord
from ventanilla.portal.services import council_words
from ventanilla.privacy.publication import known_names, review_public_text
from ventanilla.privacy.redaction import Doubt, Placeholder

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p.value) for p in Placeholder))


@dataclass(frozen=True)
class Part:
    """A piece of the proposed summary: plain, ``removed`` (a placeholder) or ``doubt``."""

    text: str
    kind: str = ""
    doubt: Doubt | None = None


@dataclass(frozen=True)
class Photo:
    attachment: Attachment
    published: PublicPhoto | None


@dataclass(frozen=True)
class Review:
    case: Case
    record: PublicRecord | None
    parts: list[Part] = field(default_factory=list)
    removed_doubts: list[Doubt] = field(default_factory=list)
    kept_doubts: list[Doubt] = field(default_factory=list)
    photos: list[Photo] = field(default_factory=list)

    @property
    def draft(self) -> str:
        return self.record.summary_draft if self.record is not None else ""

    @property
    def withdrawn(self) -> bool:
        return self.record is not None and self.record.withdrawn_at is not None

    @property
    def pending(self) -> bool:
        """Whether staff have yet to decide on the summary."""
        return (
            self.record is not None
            and not self.withdrawn
            and self.record.summary_approved_at is None
        )


def _parts(draft: str, doubts: list[Doubt]) -> list[Part]:
    """Split ``draft`` into plain text, removed data (placeholders) and doubtful names kept."""
    marks: list[tuple[int, int, str, Doubt | None]] = [
        (m.start(), m.end(), "removed", None) for m in _PLACEHOLDER_RE.finditer(draft)
    ]
    for doubt in doubts:
        for m in re.finditer(re.escape(doubt.text), draft):
            marks.append((m.start(), m.end(), "doubt", doubt))
    marks.sort(key=lambda mark: (mark[0], -mark[1]))
    parts: list[Part] = []
    position = 0
    for start, end, kind, marked in marks:
        if start < position:
            continue  # overlaps a mark already made
        if start > position:
            parts.append(Part(draft[position:start]))
        parts.append(Part(draft[start:end], kind, marked))
        position = end
    if position < len(draft):
        parts.append(Part(draft[position:]))
    return parts


def review_of(case: Case) -> Review:
    """Return what staff review before approving ``case``'s public summary and photos."""
    record = PublicRecord.objects.filter(case=case).first()
    if record is None:
        return Review(case=case, record=None)
    review = review_public_text(
        " ".join(case.description.split()),
        names=known_names(case),
        keep=council_words(case.council_id),
    )
    kept = [d for d in review.doubts if not d.removed]
    removed = [d for d in review.doubts if d.removed]
    return Review(
        case=case,
        record=record,
        parts=_parts(record.summary_draft, kept),
        removed_doubts=removed,
        kept_doubts=kept,
        photos=photos_of(case),
    )


def case_photos(case: Case) -> QuerySet[Attachment]:
    """Return the images residents sent about ``case`` that have been downloaded."""
    return (
        Attachment.objects.filter(
            message__case=case,
            message__direction=Direction.IN,
            content_type__startswith="image/",
        )
        .exclude(file="")
        .order_by("created_at", "pk")
    )


def photos_of(case: Case) -> list[Photo]:
    published = {
        photo.attachment_id: photo
        for photo in PublicPhoto.objects.filter(record__case=case, attachment__isnull=False)
    }
    return [Photo(attachment, published.get(attachment.pk)) for attachment in case_photos(case)]


def pending_records(cases: QuerySet[Case]) -> QuerySet[PublicRecord]:
    """Return the public records of ``cases`` whose summary staff have not decided on."""
    return (
        PublicRecord.objects.filter(
            case__in=cases,
            case__is_public=True,
            withdrawn_at__isnull=True,
            summary_approved_at__isnull=True,
        )
        .exclude(summary_draft="")
        .select_related("case", "category")
        .order_by("requested_at", "pk")
    )
