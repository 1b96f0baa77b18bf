"""``/api/v1/broadcasts`` and ``/api/v1/topics``: alerts for integrators (supervisors' tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja import Status as Reply
from ninja.errors import HttpError

from ventanilla.broadcasts import services
from ventanilla.broadcasts.access import broadcasting_council
from ventanilla.broadcasts.models import Broadcast, Topic
from ventanilla.broadcasts.selectors import progress
from ventanilla.channels.models import Channel
from ventanilla.core.models import Council

router = Router(tags=["alerts"])


class Error(Schema):
    detail: str


class TopicOut(Schema):
    slug: str
    name_es: str
    name_ca: str
    name_en: str
    subscribers: int


class BroadcastIn(Schema):
    topic: str = Field(..., max_length=50)
    text: str = Field(..., min_length=1, max_length=4000)
    texts: dict[str, str] = Field(default_factory=dict, description="text per language")
    channels: list[int] | None = None
    template_name: str = Field("", max_length=200)
    template_variables: list[str] = Field(default_factory=list)
    scheduled_for: dt.datetime | None = None


class Created(Schema):
    id: int


class BroadcastOut(Schema):
    id: int
    status: str
    recipients: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int
    estimated_finish: dt.datetime | None


def _council(request: HttpRequest) -> Council:
    council = broadcasting_council(request.user)
    if council is None:
        raise HttpError(403, "Only supervisors may broadcast.")
    return council


def _broadcast(request: HttpRequest, broadcast_id: int) -> Broadcast:
    council = _council(request)
    row = None
    if 0 < broadcast_id < 2**31:
        row = Broadcast.objects.filter(council=council, pk=broadcast_id).first()
    if row is None:
        raise HttpError(404, "Not found.")
    return row


def _out(row: Broadcast) -> dict[str, Any]:
    figures = progress(row)
    return {
        "id": row.pk,
        "status": row.status,
        "recipients": row.recipients,
        **figures.totals,
        "estimated_finish": figures.estimated_finish,
    }


@router.get("/topics", response={200: list[TopicOut], 401: Error, 403: Error})
def topics(request: HttpRequest) -> Any:
    council = _council(request)
    rows = Topic.objects.filter(council=council, active=True).order_by("slug")
    return [
        {
            "slug": t.slug,
            "name_es": t.name_es,
            "name_ca": t.name_ca,
            "name_en": t.name_en,
            "subscribers": t.subscriptions.filter(ended_at__isnull=True).count(),
        }
        for t in rows
    ]


@router.post("/broadcasts", response={201: Created, 400: Error, 401: Error, 403: Error})
def create(request: HttpRequest, data: BroadcastIn) -> Any:
    council = _council(request)
    topic = Topic.objects.filter(council=council, slug=data.topic).first()
    if topic is None:
        raise HttpError(400, "Unknown topic.")
    channels = list(Channel.objects.filter(council=council, pk__in=data.channels or []))
    if data.channels and len(channels) != len(set(data.channels)):
        raise HttpError(400, "Unknown channel.")
    texts = {**data.texts, council.language_codes[0]: data.text}
    try:
        row = services.create_broadcast(
            topic=topic,
            texts=texts,
            by=request.user,
            channels=channels,
            template_name=data.template_name,
            template_variables=data.template_variables,
            scheduled_for=data.scheduled_for,
        )
    except services.BroadcastError as exc:
        raise HttpError(400, str(exc)) from None
    return Reply(201, {"id": row.pk})


@router.get(
    "/broadcasts/{broadcast_id}", response={200: BroadcastOut, 401: Error, 403: Error, 404: Error}
)
def detail(request: HttpRequest, broadcast_id: int) -> Any:
    return _out(_broadcast(request, broadcast_id))


@router.post(
    "/broadcasts/{broadcast_id}/approve",
    response={200: BroadcastOut, 401: Error, 403: Error, 404: Error, 409: Error},
)
def approve(request: HttpRequest, broadcast_id: int) -> Any:
    row = _broadcast(request, broadcast_id)
    if row.created_by_id == request.user.pk:
        raise HttpError(403, "A broadcast must be approved by someone other than its author.")
    try:
        row = services.approve(broadcast=row, by=request.user)
    except services.BroadcastError as exc:
        raise HttpError(409, str(exc)) from None
    return _out(row)


def _act(request: HttpRequest, broadcast_id: int, action: Any) -> Any:
    row = _broadcast(request, broadcast_id)
    try:
        row = action(broadcast=row)
    except services.BroadcastError as exc:
        raise HttpError(409, str(exc)) from None
    return _out(row)


RESPONSES: dict[int, Any] = {200: BroadcastOut, 401: Error, 403: Error, 404: Error, 409: Error}


@router.post("/broadcasts/{broadcast_id}/send", response=RESPONSES)
def send(request: HttpRequest, broadcast_id: int) -> Any:
    return _act(request, broadcast_id, services.send)


@router.post("/broadcasts/{broadcast_id}/pause", response=RESPONSES)
def pause(request: HttpRequest, broadcast_id: int) -> Any:
    return _act(request, broadcast_id, services.pause)


@router.post("/broadcasts/{broadcast_id}/resume", response=RESPONSES)
def resume(request: HttpRequest, broadcast_id: int) -> Any:
    return _act(request, broadcast_id, services.resume)


@router.post("/broadcasts/{broadcast_id}/cancel", response=RESPONSES)
def cancel(request: HttpRequest, broadcast_id: int) -> Any:
    return _act(request, broadcast_id, services.cancel)
