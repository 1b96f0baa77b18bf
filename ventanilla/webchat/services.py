"""The web chat's write path: a resident's post goes in as any channel's inbound message.

The post is translated by the web chat's adapter, stored by ``conversations.inbound`` (once
per browser message id) and answered by the dialog after the commit, exactly as a webhook
would be; a photo is stored with its message in the same transaction, so the dialog sees it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db import transaction

from ventanilla.channels.adapters.base import ParsedWebhook, StatusUpdate
from ventanilla.channels.adapters.webchat import WebChatAdapter
from ventanilla.channels.models import Channel
from ventanilla.conversations import inbound
from ventanilla.conversations.delivery import apply_status, store_attachment_file
from ventanilla.conversations.models import DeliveryStatus, Direction, Message


class ChatRefused(ValueError):
    """The post cannot be taken; the message says why (for the resident)."""


@dataclass(frozen=True)
class Posted:
    message_id: int
    duplicate: bool


def post_from_browser(
    *,
    channel: Channel,
    urn: str,
    fields: Mapping[str, str],
    photo: bytes | None = None,
    photo_type: str = "",
    language: str = "",
) -> Posted:
    """Store a resident's post once; a repeated browser id returns the stored message.

    Raise ``MalformedPayload`` (from the adapter) for a post that is not a message, and
    ``ChatRefused`` when it cannot be stored.
    """
    message_in = WebChatAdapter.parse_post(
        urn=urn, fields=fields, photo_type=photo_type if photo else "", language=language
    )
    with transaction.atomic():
        received = inbound.receive(channel=channel, parsed=ParsedWebhook(messages=[message_in]))
        if received.stored:
            message = Message.objects.get(pk=received.stored[0])
            if photo:
                for attachment in message.attachments.all():
                    store_attachment_file(
                        attachment=attachment, data=photo, content_type=photo_type
                    )
            return Posted(message_id=message.pk, duplicate=False)
    stored = (
        Message.objects.filter(
            channel=channel,
            provider_message_id=message_in.provider_message_id,
            conversation__urn=urn,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if stored is None:
        raise ChatRefused("the message could not be stored")
    return Posted(message_id=stored, duplicate=True)


def mark_delivered(*, channel: Channel, messages: Sequence[Message]) -> int:
    """Mark the sent messages among ``messages`` delivered: the resident's page has them."""
    count = 0
    for message in messages:
        if message.direction == Direction.OUT and message.status == DeliveryStatus.SENT:
            update = StatusUpdate(
                provider_message_id=message.provider_message_id, status="delivered"
            )
            apply_status(channel=channel, update=update)
            count += 1
    return count
