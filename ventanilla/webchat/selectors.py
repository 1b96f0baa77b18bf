"""Reads of the web chat: a council's chat channel, and one resident's own messages."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Prefetch

from ventanilla.cases.models import Case
from ventanilla.channels.models import Channel, Provider
from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from ventanilla.core.models import Council

#: the messages a page catches up with when it opens
HISTORY = 100
#: an outbound message is the resident's to see once sent (the adapter gave it its id)
SHOWN_OUT = frozenset((DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.READ))


def chat_channel(council: Council) -> Channel | None:
    """Return the council's active web chat channel (the first, if there are several)."""
    return (
        Channel.objects.select_related("council")
        .filter(council=council, provider=Provider.WEBCHAT, active=True)
        .order_by("pk")
        .first()
    )


def map_centre(council: Council) -> tuple[float, float] | None:
    """Return the middle of the council's last located cases, if any (where the map opens)."""
    recent = (
        Case.objects.filter(council=council, latitude__isnull=False, longitude__isnull=False)
        .order_by("-pk")
        .values_list("pk", flat=True)[:200]
    )
    found = Case.objects.filter(pk__in=list(recent)).aggregate(
        latitude=Avg("latitude"), longitude=Avg("longitude")
    )
    if found["latitude"] is None or found["longitude"] is None:
        return None
    return float(found["latitude"]), float(found["longitude"])


def conversation_id(*, channel_id: int, urn: str) -> int | None:
    """Return the id of the resident's conversation on the chat channel, if they wrote."""
    return (
        Conversation.objects.filter(channel_id=channel_id, urn=urn)
        .values_list("pk", flat=True)
        .first()
    )


def messages_after(*, conversation_id: int, after: int) -> list[Message]:
    """Return the conversation's messages after id ``after`` that its resident may see.

    Only this conversation's rows are read. The list stops before an outbound message that
    is still queued, so that a page never skips it (it is shown once sent); a failed one is
    never shown. A page that knows nothing (``after`` 0) gets the last ``HISTORY`` messages.
    """
    rows = Message.objects.filter(conversation_id=conversation_id).exclude(
        direction=Direction.OUT, status=DeliveryStatus.FAILED
    )
    if after <= 0:
        ids = list(rows.order_by("-pk").values_list("pk", flat=True)[:HISTORY])
        after = min(ids) - 1 if ids else 0
    batch = (
        rows.filter(pk__gt=after)
        .order_by("pk")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.only("pk", "kind", "message_id"))
        )[: HISTORY * 2]
    )
    shown = []
    for message in batch:
        if message.direction == Direction.OUT and message.status not in SHOWN_OUT:
            break
        shown.append(message)
    return shown


def as_browser_item(message: Message) -> dict[str, Any]:
    """Return what the resident's page shows of one message (never staff-only fields)."""
    payload = message.payload or {}
    item: dict[str, Any] = {
        "id": message.pk,
        "from": "resident" if message.direction == Direction.IN else "council",
        "text": message.text,
        "at": message.created_at.isoformat(),
    }
    if message.direction == Direction.OUT:
        item["choices"] = [
            {"id": str(c.get("id", "")), "label": str(c.get("label", ""))}
            for c in payload.get("choices") or ()
            if isinstance(c, dict)
        ]
        attachment = payload.get("attachment")
        if isinstance(attachment, dict) and attachment.get("url"):
            item["file"] = {
                "url": str(attachment["url"]),
                "name": str(attachment.get("filename") or ""),
            }
    else:
        item["photos"] = sum(1 for a in message.attachments.all() if a.kind == "image")
        item["located"] = message.latitude is not None
        if payload.get("choice"):
            item["choice"] = str(payload["choice"])
    return item
