"""What a verified webhook brings in: residents' messages, delivery statuses, channel events.

Webhook items are stored one transaction each, so that a message is kept even when a later
item of the same request fails (Twilio never re-delivers). Slow work (media download, the
dialog's answer) starts only after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import structlog
from django.db import DataError, transaction

from ventanilla.channels import services as channel_services
from ventanilla.channels.adapters.base import (
    ChannelEvent,
    InboundMessage,
    ParsedWebhook,
    StatusUpdate,
)
from ventanilla.channels.models import Channel, WebhookEvent
from ventanilla.citizens.services import opt_out_resident
from ventanilla.citizens.urns import InvalidUrn
from ventanilla.conversations import delivery_tasks, staff_traffic
from ventanilla.conversations.delivery import apply_statuses
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import ids_fit, record_inbound
from ventanilla.conversations.tasks import answer_now, enqueue_dialog, still_unanswered

log = structlog.get_logger(__name__)


@dataclass
class Received:
    """What one webhook changed: for logs and tests."""

    stored: list[int] = field(default_factory=list)  # ids of messages stored now
    duplicates: int = 0
    statuses: int = 0
    events: int = 0
    staff: int = 0  # items from or about staff identities, handled by their claim


def receive(
    *,
    channel: Channel,
    parsed: ParsedWebhook,
    answer_later: list[Message] | None = None,
    staff: set[int] | None = None,
) -> Received:
    """Store what one verified webhook carried: messages, then statuses, then events.

    A message or status from or about a staff identity is handed to its claim
    (``staff_traffic``) and never stored as a resident's. A message the channel already
    holds (the provider re-delivered it, perhaps several times at once) is skipped. For each
    new message, once committed, the media download is queued and the dialog is asked to
    answer it: exactly once per provider message id. With ``answer_later``, the new messages
    (and those stored before but never answered) are added to it instead, for the caller to
    ``answer`` once committed. ``staff``: the positions of the messages the claims took
    already (``claim_staff``), if the caller asked them.
    """
    received = Received()
    if staff is None:
        staff = claim_staff(channel, parsed.messages)
    received.staff += len(staff)  # staff phones: never a resident's message
    for index, inbound in enumerate(parsed.messages):
        if index in staff:
            continue
        message = _store_inbound(channel, inbound, answer_later)
        if message is None:
            received.duplicates += 1
        else:
            received.stored.append(message.pk)
    statuses = receive_statuses(channel=channel, updates=parsed.statuses)
    received.statuses += statuses.statuses
    received.staff += statuses.staff
    for event in parsed.events:
        try:
            if record_channel_event(channel=channel, event=event) is not None:
                received.events += 1
        except (DataError, ValueError):
            log.warning("webhook_event_refused", channel=channel.pk, provider=channel.provider)
    return received


def claim_staff(channel: Channel, messages: Sequence[InboundMessage]) -> set[int]:
    """Hand messages from staff identities to their claims; return their positions."""
    return staff_traffic.inbound.claimed(channel, messages) if messages else set()


def receive_statuses(*, channel: Channel, updates: Sequence[StatusUpdate]) -> Received:
    """Apply delivery statuses of one channel, many webhooks' worth at once.

    Statuses about messages sent to staff go to their claim; the rest move residents'
    messages forward with set-based updates (``delivery.apply_statuses``).
    """
    received = Received()
    if not updates:
        return received
    staff = staff_traffic.statuses.claimed(channel, updates)
    received.staff = len(staff)
    ours = [update for index, update in enumerate(updates) if index not in staff]
    try:
        with transaction.atomic():
            apply_statuses(channel=channel, updates=ours)
        received.statuses = len(ours)
        return received
    except (DataError, ValueError):
        pass  # one of them cannot be stored: apply them one by one and skip that one
    for update in ours:
        try:
            with transaction.atomic():
                apply_statuses(channel=channel, updates=[update])
            received.statuses += 1
        except (DataError, ValueError):
            log.warning("webhook_status_refused", channel=channel.pk, provider=channel.provider)
    return received


@transaction.atomic
def record_channel_event(*, channel: Channel, event: ChannelEvent) -> WebhookEvent | None:
    """Record a channel event once; a stop or a block opts the resident out."""
    row = channel_services.record_event(channel=channel, event=event)
    if row is not None and event.kind in channel_services.OPT_OUT_EVENTS and event.urn:
        opt_out_resident(council=channel.council, urn=event.urn)
    return row


def answer(messages: list[Message]) -> None:
    """Answer messages a batch stored, once it committed (``tasks.answer_now``).

    A message the dialog could not take there is queued for ``tasks.handle_message``: it is
    stored, and it will be answered.
    """
    for message in answer_now(messages):
        transaction.on_commit(partial(_queue_dialog, message))


def _queue_dialog(message: Message) -> None:
    try:
        enqueue_dialog(message=message)
    except Exception:
        log.exception("dialog_not_queued", message=message.pk)


def _store_inbound(
    channel: Channel, inbound: InboundMessage, answer_later: list[Message] | None
) -> Message | None:
    """Store one message once; a sender or id we cannot store becomes a named event."""
    if not ids_fit(inbound):
        _refuse_inbound(channel, inbound, "message_too_long_ids")
        return None
    try:
        message = record_inbound(channel=channel, inbound=inbound)  # its own transaction
    except InvalidUrn:
        _refuse_inbound(channel, inbound, "invalid_sender")
        return None
    except (DataError, ValueError):
        _refuse_inbound(channel, inbound, "invalid_message")
        return None
    if message is None and answer_later is not None:
        stranded = still_unanswered(
            channel_id=channel.pk, provider_message_id=inbound.provider_message_id
        )
        if stranded is not None:  # stored by a worker that died before it answered
            answer_later.append(stranded)
    if message is not None:
        if answer_later is not None:
            answer_later.append(message)
        # Runs at once when committed, or when an enclosing transaction commits.
        transaction.on_commit(
            partial(
                _hand_over,
                message,
                media=bool(inbound.attachments),
                callback=bool(inbound.callback_id),
                dialog=answer_later is None,
            )
        )
    return message


def _refuse_inbound(channel: Channel, inbound: InboundMessage, name: str) -> None:
    log.warning("webhook_message_refused", channel=channel.pk, provider=channel.provider, name=name)
    event = ChannelEvent(
        kind="unsupported", name=name, provider_event_id=inbound.provider_message_id[:200]
    )
    channel_services.record_event(channel=channel, event=event)


def _hand_over(message: Message, *, media: bool, callback: bool, dialog: bool) -> None:
    """Queue the slow work for a new message and the dialog's answer (after the commit).

    The message is stored: an error here is logged, never turned into an error answer to
    the provider (it would not bring the message back, and the provider would re-deliver).
    """
    try:
        if media:
            delivery_tasks.download_media.enqueue(message.pk)
        if callback:
            delivery_tasks.answer_callback.enqueue(message.pk)
    except Exception:
        log.exception("webhook_follow_up_not_queued", message=message.pk)
    if dialog:
        _queue_dialog(message)
