"""REST API for cases: list, read, messages, status changes, assignment, transfer, notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from ventanilla.cases import services
from ventanilla.cases.access import staff_of
from ventanilla.cases.models import Case, Department, LocationSource
from ventanilla.cases.search import case_search
from ventanilla.cases.workflow import IllegalTransition, Status
from ventanilla.core.actors import actor_of
from ventanilla.core.text import FreeText
from ventanilla.streets.matching import match_address

router = Router(tags=["cases"])
REFERENCE = r"^\d{4}-\d{6}$"


class Error(Schema):
    detail: str


class CaseOut(Schema):
    reference: str
    status: Status
    category: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    department: str = Field(..., alias="department.name")
    assignee: str | None = Field(None, alias="assignee.username")
    priority: int
    description: str
    address: str
    latitude: float | None
    longitude: float | None
    is_public: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_due_at: dt.datetime
    due_at: dt.datetime
    resolved_at: dt.datetime | None


class CaseList(Schema):
    count: int
    items: list[CaseOut]


class AttachmentOut(Schema):
    kind: str
    content_type: str
    filename: str


class MessageOut(Schema):
    id: int
    direction: str
    text: str
    status: str
    error_reason: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class StatusIn(Schema):
    status: Status
    resident_message: FreeText = Field(
        "", max_length=2000, description="Sent to the resident with the news of the new status."
    )
    note: FreeText = Field(
        "", max_length=5000, description="Internal note: kept in the history, never sent."
    )
    comment: FreeText = Field(
        "", max_length=5000, description="Deprecated: the same as `note` (never sent)."
    )


class AssignIn(Schema):
    username: str | None = Field(
        ..., max_length=150, description="The staff member to assign; null to unassign."
    )


class TransferIn(Schema):
    department: int = Field(..., ge=1, le=2**31 - 1)
    note: FreeText = Field("", max_length=5000, description="Internal note, never sent.")


class NoteIn(Schema):
    text: FreeText = Field(..., min_length=1, max_length=10000)


class NoteOut(Schema):
    id: int
    text: str
    created_at: dt.datetime


class LocationIn(Schema):
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    address: FreeText = Field(
        "",
        max_length=300,
        description=(
            "With a point, kept as the case's address. Without one, looked up in the "
            "council's street directory (400 if no street matches)."
        ),
    )


class CaseFilters(Schema):
    status: Status | None = None
    category: str | None = Field(None, max_length=50)
    department: int | None = Field(None, ge=1, le=2**31 - 1)
    q: str | None = Field(None, max_length=200, description="Same as ``search``.")
    search: str | None = Field(
        None,
        max_length=200,
        description=(
            "Reference, words of the description or street, the resident's name, or their "
            "phone number in any format. Searches every status unless ``status`` is given."
        ),
    )
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


def visible_cases(request: HttpRequest) -> Any:
    return Case.objects.visible_to(request.user).select_related(
        "category", "department", "assignee"
    )


def get_case(request: HttpRequest, reference: str) -> Case:
    return get_object_or_404(visible_cases(request), reference=reference)


@router.get("/cases", response={200: CaseList, 400: Error, 401: Error})
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    cases = visible_cases(request)
    if filters.status:
        cases = cases.filter(status=filters.status)
    if filters.category:
        cases = cases.filter(category__code=filters.category)
    if filters.department:
        cases = cases.filter(department_id=filters.department)
    text = (filters.search or filters.q or "").strip()
    if text:
        staff = staff_of(request.user)
        if staff is not None:
            cases = cases.filter(case_search(text, council=staff.council))
    cases = cases.order_by("due_at", "id")
    return {
        "count": cases.count(),
        "items": list(cases[filters.offset : filters.offset + filters.limit]),
    }


@router.get("/cases/{reference}", response={200: CaseOut, 400: Error, 401: Error, 404: Error})
def case_detail(request: HttpRequest, reference: str) -> Any:
    return get_case(request, reference)


@router.get(
    "/cases/{reference}/messages",
    response={200: list[MessageOut], 400: Error, 401: Error, 404: Error},
)
def case_messages(request: HttpRequest, reference: str) -> Any:
    case = get_case(request, reference)
    return case.messages.prefetch_related("attachments").order_by("created_at", "id")


@router.post(
    "/cases/{reference}/status",
    response={200: CaseOut, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error},
)
def case_change_status(request: HttpRequest, reference: str, data: StatusIn) -> Any:
    case = get_case(request, reference)
    try:
        services.change_status(
            case=case,
            status=data.status,
            by=actor_of(request.user),
            comment=data.note or data.comment,
            resident_message=data.resident_message,
        )
    except services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except IllegalTransition as exc:
        return Reply(409, {"detail": str(exc)})
    return get_case(request, reference)


@router.post(
    "/cases/{reference}/assign",
    response={200: CaseOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def case_assign(request: HttpRequest, reference: str, data: AssignIn) -> Any:
    """Assign the case to a staff member of its council (null unassigns it)."""
    case = get_case(request, reference)
    agent = None
    if data.username is not None:
        agent = (
            get_user_model()
            .objects.filter(
                username=data.username, is_active=True, staff__council_id=case.council_id
            )
            .first()
        )
        if agent is None:
            return Reply(400, {"detail": "No active staff member of the council by that name."})
    try:
        services.assign_case(case=case, agent=agent, by=actor_of(request.user))
    except services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except (services.CaseError, IllegalTransition) as exc:
        return Reply(400, {"detail": str(exc)})
    return get_case(request, reference)


@router.post(
    "/cases/{reference}/transfer",
    response={200: CaseOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def case_transfer(request: HttpRequest, reference: str, data: TransferIn) -> Any:
    """Send the case to another department of its council; it loses its assignee."""
    case = get_case(request, reference)
    department = Department.objects.filter(
        pk=data.department, council_id=case.council_id, active=True
    ).first()
    if department is None:
        return Reply(400, {"detail": "No active department of the council with that id."})
    try:
        moved = services.transfer_case(
            case=case, department=department, by=actor_of(request.user), comment=data.note
        )
    except services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except services.CaseError as exc:
        return Reply(400, {"detail": str(exc)})
    # Transferred out of the caller's departments: they may no longer see it.
    found = visible_cases(request).filter(pk=case.pk).first()
    return found if found is not None else moved


@router.post(
    "/cases/{reference}/notes",
    response={201: NoteOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def case_add_note(request: HttpRequest, reference: str, data: NoteIn) -> Any:
    case = get_case(request, reference)
    try:
        note = services.add_note(case=case, author=actor_of(request.user), text=data.text)
    except services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except services.CaseError as exc:
        return Reply(400, {"detail": str(exc)})
    return Reply(201, note)


@router.post(
    "/cases/{reference}/location",
    response={200: CaseOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def case_set_location(request: HttpRequest, reference: str, data: LocationIn) -> Any:
    """Set the case's point and address; the portal and Open311 show it snapped to a grid."""
    case = get_case(request, reference)
    by = actor_of(request.user)
    latitude, longitude, address = data.latitude, data.longitude, data.address
    source = LocationSource.API
    if (latitude is None) != (longitude is None):
        return Reply(400, {"detail": "Give both latitude and longitude, or an address."})
    try:
        services.check_may_act(case=case, by=by)
        if latitude is None or longitude is None:
            found = match_address(council=case.council, text=address) if address else None
            if found is None:
                return Reply(400, {"detail": "No street of the council's directory matches."})
            latitude, longitude = found.street.latitude, found.street.longitude
            address, source = found.address, LocationSource.DIRECTORY
        services.set_location(
            case=case,
            latitude=latitude,
            longitude=longitude,
            address=address,
            by=by,
            source=source,
        )
    except services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except services.CaseError as exc:
        return Reply(400, {"detail": str(exc)})
    return get_case(request, reference)
