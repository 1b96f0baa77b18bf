"""REST API for cases: list, read, messages, status changes and internal notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja import Status as Reply

from ventanilla.cases import services
from ventanilla.cases.models import Case
from ventanilla.cases.workflow import IllegalTransition, Status
from ventanilla.core.actors import actor_of
from ventanilla.core.text import FreeText

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
    comment: FreeText = Field("", max_length=5000)


class NoteIn(Schema):
    text: FreeText = Field(..., min_length=1, max_length=10000)


class NoteOut(Schema):
    id: int
    text: str
    created_at: dt.datetime


class CaseFilters(Schema):
    status: Status | None = None
    category: str | None = Field(None, max_length=50)
    department: int | None = Field(None, ge=1, le=2**31 - 1)
    q: str | None = Field(None, max_length=200)
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
    if filters.q:
        cases = cases.filter(
            Q(reference__icontains=filters.q) | Q(description__icontains=filters.q)
        )
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
            case=case, status=data.status, by=actor_of(request.user), comment=data.comment
        )
    except services.NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except IllegalTransition as exc:
        return Reply(409, {"detail": str(exc)})
    return get_case(request, reference)


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
