"""REST API of crews: the council's crews, and work orders sent from a case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja import Status as Reply

from ventanilla.cases.access import staff_of
from ventanilla.cases.models import Case
from ventanilla.cases.services import NotAllowed
from ventanilla.core.actors import actor_of
from ventanilla.core.text import FreeText
from ventanilla.crews import services
from ventanilla.crews.models import Crew

router = Router(tags=["crews"])


class Error(Schema):
    detail: str


class CrewOut(Schema):
    id: int
    name: str
    department: str | None = Field(None, alias="department.name")
    is_contractor: bool
    linked_phones: int


class WorkOrderIn(Schema):
    crew: int = Field(..., ge=1, le=2**31 - 1)
    note: FreeText = Field("", max_length=2000, description="Sent to the crew with the order.")
    due_at: dt.datetime | None = Field(
        None, description="The crew's deadline; default: the case's."
    )


class WorkOrderOut(Schema):
    id: int
    reference: str = Field(..., alias="case.reference")
    crew: int = Field(..., alias="crew_id")
    state: str
    note: str
    due_at: dt.datetime
    created_at: dt.datetime


def _crews(request: HttpRequest) -> Any:
    staff = staff_of(request.user)
    if staff is None:
        return Crew.objects.none()
    return Crew.objects.filter(council_id=staff.council_id, active=True)


@router.get("/crews", response={200: list[CrewOut], 401: Error})
def list_crews(request: HttpRequest) -> Any:
    """The council's active crews, with how many phones each can be reached on."""
    crews = list(_crews(request).select_related("department").order_by("name"))
    linked = {crew.pk: len(services.identities_of_crew(crew)) for crew in crews}
    return [
        {
            "id": crew.pk,
            "name": crew.name,
            "department": crew.department,
            "is_contractor": crew.is_contractor,
            "linked_phones": linked[crew.pk],
        }
        for crew in crews
    ]


@router.post(
    "/cases/{reference}/work-orders",
    response={201: WorkOrderOut, 400: Error, 401: Error, 403: Error, 404: Error},
)
def create_work_order(request: HttpRequest, reference: str, data: WorkOrderIn) -> Any:
    """Send the case to a crew: its phones get the order, the photos and the place."""
    case = get_object_or_404(Case.objects.visible_to(request.user), reference=reference)
    crew = _crews(request).filter(pk=data.crew).first()
    if crew is None:
        return Reply(400, {"detail": "No active crew of the council with that id."})
    if data.due_at is not None and data.due_at.tzinfo is None:
        return Reply(400, {"detail": "due_at needs a time zone."})
    try:
        order = services.send_work_order(
            case=case, crew=crew, by=actor_of(request.user), note=data.note, due_at=data.due_at
        )
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except services.CrewError as exc:
        return Reply(400, {"detail": str(exc)})
    return Reply(201, order)
