"""REST API of a case's public record: what staff review, and approving its summary.

The same services as the inbox (``portal.services``), after the same check that the token's
user may act on the case (``cases.services.check_may_act``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from ventanilla.cases import services as case_services
from ventanilla.cases.api import Error, get_case
from ventanilla.conversations.models import Attachment
from ventanilla.core.actors import actor_of
from ventanilla.core.text import FreeText
from ventanilla.portal import services
from ventanilla.portal.review import case_photos, review_of

router = Router(tags=["publication"])
ERRORS: dict[int, Any] = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error}


class DoubtOut(Schema):
    text: str
    reason: str
    removed: bool


class PhotoOut(Schema):
    attachment: int
    content_type: str
    published: bool


class PublicationOut(Schema):
    reference: str
    published: bool = Field(..., description="Whether the case has a public record at all.")
    withdrawn: bool
    withdrawn_reason: str
    draft: str = Field(..., description="Proposed summary, personal data removed.")
    doubts: list[DoubtOut] = Field(
        ..., description="Words the redaction was unsure about (a name kept or removed)."
    )
    summary: str = Field(..., description="The approved public summary ('' if none).")
    summary_approved_at: dt.datetime | None
    pending: bool = Field(..., description="Whether staff have yet to decide on the summary.")
    photos: list[PhotoOut]


class SummaryIn(Schema):
    summary: FreeText | None = Field(
        ...,
        max_length=services.SUMMARY_MAX_LENGTH,
        description="The summary to approve (redacted again); null approves the draft as is.",
    )


class PhotoIn(Schema):
    published: bool
    alt_text: FreeText = Field("", max_length=300)


class WithdrawIn(Schema):
    reason: FreeText = Field(..., min_length=1, max_length=2000)


def _out(case: Any) -> dict[str, Any]:
    review = review_of(case)
    record = review.record
    return {
        "reference": case.reference,
        "published": record is not None,
        "withdrawn": review.withdrawn,
        "withdrawn_reason": record.withdrawn_reason if record else "",
        "draft": review.draft,
        "doubts": [
            {"text": d.text, "reason": str(d.reason), "removed": d.removed}
            for d in [*review.kept_doubts, *review.removed_doubts]
        ],
        "summary": record.summary if record else "",
        "summary_approved_at": record.summary_approved_at if record else None,
        "pending": review.pending,
        "photos": [
            {
                "attachment": photo.attachment.pk,
                "content_type": photo.attachment.content_type,
                "published": photo.published is not None,
            }
            for photo in review.photos
        ],
    }


def _act(request: HttpRequest, reference: str, change: Any) -> Any:
    case = get_case(request, reference)
    by = actor_of(request.user)
    try:
        case_services.check_may_act(case=case, by=by)
        change(case, by)
    except case_services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except services.PublicationError as exc:
        return Reply(409, {"detail": str(exc)})
    return Reply(200, _out(get_case(request, reference)))


@router.get("/cases/{reference}/publication", response={200: PublicationOut, **ERRORS})
def publication(request: HttpRequest, reference: str) -> Any:
    """The case's public record as staff review it: draft, doubts, summary, photos."""
    return _out(get_case(request, reference))


@router.post("/cases/{reference}/publication", response={200: PublicationOut, **ERRORS})
def approve_summary(request: HttpRequest, reference: str, data: SummaryIn) -> Any:
    """Approve the public summary; the portal and Open311 show it at once."""

    def change(case: Any, by: Any) -> None:
        if data.summary is None:
            services.approve_summary_draft(case=case, by=by)
        else:
            services.update_public_summary(case=case, text=data.summary, by=by)

    return _act(request, reference, change)


@router.post("/cases/{reference}/publication/private", response={200: PublicationOut, **ERRORS})
def keep_private(request: HttpRequest, reference: str) -> Any:
    """Publish no summary of the case (the portal no longer says it is pending)."""
    return _act(
        request, reference, lambda case, by: services.keep_summary_private(case=case, by=by)
    )


@router.post(
    "/cases/{reference}/publication/photos/{attachment}",
    response={200: PublicationOut, **ERRORS},
)
def photo(request: HttpRequest, reference: str, attachment: int, data: PhotoIn) -> Any:
    """Publish one of the resident's photos (a copy without metadata), or take it down."""

    def change(case: Any, by: Any) -> None:
        item: Attachment | None = case_photos(case).filter(pk=attachment).first()
        if item is None:
            raise services.PublicationError("That photo is not one of this case's photos.")
        if data.published:
            services.approve_photo(attachment=item, by=by, alt_text=data.alt_text)
            return
        published = getattr(item, "public_photo", None)
        if published is not None:
            services.remove_photo(photo=published, by=by)

    if not 0 < attachment < 2**31:
        return Reply(404, {"detail": "Not found."})
    return _act(request, reference, change)


@router.post("/cases/{reference}/publication/withdraw", response={200: PublicationOut, **ERRORS})
def withdraw(request: HttpRequest, reference: str, data: WithdrawIn) -> Any:
    """Withdraw the case from every public output; the reason is logged, never shown."""
    return _act(
        request,
        reference,
        lambda case, by: services.withdraw_case(case=case, reason=data.reason, by=by),
    )


@router.post("/cases/{reference}/publication/republish", response={200: PublicationOut, **ERRORS})
def republish(request: HttpRequest, reference: str) -> Any:
    """Publish again a case that was withdrawn."""
    return _act(request, reference, lambda case, by: services.publish_case(case=case, by=by))
