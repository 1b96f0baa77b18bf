"""REST API for what the inbox does beyond a case's own fields: replies and conversations.

The same services as the inbox, with the same checks (``NotAllowed`` → 403): a reply to a
case's resident, the queue of conversations no case holds (hand-off requests first), an
answer to one, a case opened from one, and closing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply

from ventanilla.cases.api import Error, get_case
from ventanilla.cases.models import Category, Department
from ventanilla.cases.services import CaseError, NotAllowed
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations import desk
from ventanilla.conversations.models import Conversation
from ventanilla.core.actors import actor_of
from ventanilla.core.text import FreeText
from ventanilla.inbox import residents, services
from ventanilla.inbox.selectors import Scope, scope_for

router = Router(tags=["conversations"])


class ReplyIn(Schema):
    text: FreeText = Field(..., min_length=1, max_length=4096)


class MessageSent(Schema):
    id: int
    text: str
    status: str
    created_at: dt.datetime


class ConversationOut(Schema):
    id: int
    resident: str
    channel: str
    handoff_at: dt.datetime | None
    last_inbound_at: dt.datetime | None
    last_text: str
    opted_out: bool
    open_cases: int


class ConversationQueueOut(Schema):
    handoffs: list[ConversationOut]
    others: list[ConversationOut]


class OpenCaseIn(Schema):
    category: str = Field(..., min_length=1, max_length=50, description="The category's code.")
    department: int | None = Field(None, ge=1, le=2**31 - 1)
    description: FreeText = Field("", max_length=4000)


class CaseOpened(Schema):
    reference: str
    resident_told: bool


def _scope(request: HttpRequest) -> Scope:
    scope = scope_for(request.user)
    if scope is None:
        raise NotAllowed("Not staff of any council.")
    return scope


def _conversation(scope: Scope, pk: int) -> Conversation | None:
    return residents.visible_conversation(scope, pk) if 0 < pk < 2**31 else None


def _row(row: residents.ConversationRow) -> dict[str, Any]:
    c = row.conversation
    return {
        "id": c.pk,
        "resident": str(c.citizen),
        "channel": c.channel.provider,
        "handoff_at": c.handoff_at,
        "last_inbound_at": c.last_inbound_at,
        "last_text": row.last_text,
        "opted_out": c.citizen.opted_out,
        "open_cases": row.open_cases,
    }


@router.post(
    "/cases/{reference}/replies",
    response={201: MessageSent, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error},
    tags=["cases"],
)
def case_reply(request: HttpRequest, reference: str, data: ReplyIn) -> Any:
    """Send a message to the case's resident, on the channel they last wrote on.

    409 when the provider would refuse it now (WhatsApp's 24-hour window has closed).
    """
    case = get_case(request, reference)
    if not data.text.strip():
        return Reply(400, {"detail": "text: may not be blank"})
    try:
        message = services.reply_to_case(case=case, by=actor_of(request.user), text=data.text)
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except CaseError as exc:
        return Reply(400, {"detail": str(exc)})
    except OutboundRefused as exc:
        return Reply(409, {"detail": str(exc)})
    return Reply(201, message)


@router.get("/conversations", response={200: ConversationQueueOut, 401: Error, 403: Error})
def conversation_queue(request: HttpRequest) -> Any:
    """List the conversations no case holds: hand-off requests first, then the others."""
    try:
        scope = _scope(request)
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    queue = residents.conversation_queue(scope)
    return {
        "handoffs": [_row(row) for row in queue.handoffs],
        "others": [_row(row) for row in queue.others],
    }


@router.post(
    "/conversations/{conversation_id}/replies",
    response={201: MessageSent, 400: Error, 401: Error, 403: Error, 404: Error, 409: Error},
)
def conversation_reply(request: HttpRequest, conversation_id: int, data: ReplyIn) -> Any:
    """Answer the resident of a conversation (a hand-off request, say)."""
    try:
        scope = _scope(request)
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    conversation = _conversation(scope, conversation_id)
    if conversation is None:
        return Reply(404, {"detail": "Not found."})
    try:
        message = desk.reply_to_conversation(
            conversation=conversation, by=actor_of(request.user), text=data.text
        )
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except CaseError as exc:
        return Reply(400, {"detail": str(exc)})
    except OutboundRefused as exc:
        return Reply(409, {"detail": str(exc)})
    return Reply(201, message)


@router.post(
    "/conversations/{conversation_id}/case",
    response={201: CaseOpened, 400: Error, 401: Error, 403: Error, 404: Error},
)
def conversation_open_case(request: HttpRequest, conversation_id: int, data: OpenCaseIn) -> Any:
    """Open a case from the conversation; its loose messages attach; the resident is told."""
    try:
        scope = _scope(request)
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    conversation = _conversation(scope, conversation_id)
    if conversation is None:
        return Reply(404, {"detail": "Not found."})
    category = Category.objects.of(scope.council).active().filter(code=data.category).first()
    if category is None:
        return Reply(400, {"detail": "No active category of the council with that code."})
    department = None
    if data.department is not None:
        department = Department.objects.filter(
            pk=data.department, council=scope.council, active=True
        ).first()
        if department is None:
            return Reply(400, {"detail": "No active department of the council with that id."})
    try:
        opened = desk.open_case_from_conversation(
            conversation=conversation,
            category=category,
            department=department,
            description=data.description,
            by=actor_of(request.user),
        )
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    except CaseError as exc:
        return Reply(400, {"detail": str(exc)})
    return Reply(201, {"reference": opened.case.reference, "resident_told": opened.told})


@router.post(
    "/conversations/{conversation_id}/close",
    response={204: None, 401: Error, 403: Error, 404: Error},
)
def conversation_close(request: HttpRequest, conversation_id: int) -> Any:
    """Take the conversation off the queue; the bot answers the resident again."""
    try:
        scope = _scope(request)
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    conversation = _conversation(scope, conversation_id)
    if conversation is None:
        return Reply(404, {"detail": "Not found."})
    try:
        desk.close_conversation(conversation=conversation, by=actor_of(request.user))
    except NotAllowed as exc:
        return Reply(403, {"detail": str(exc)})
    return Reply(204, None)
