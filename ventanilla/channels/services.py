"""The write path of channels: what a webhook stores, what a send records, the send throttle.

Webhook items are stored one transaction each, so that a message is kept even when a later
item of the same request fails (Twilio never re-delivers). Slow work (media download, the
dialog's answer) starts only after the commit.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import structlog
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from ventanilla.channels.adapters import provider_class
from ventanilla.channels.adapters.base import (
    ChannelEvent,
    InboundMessage,
    ParsedWebhook,
    SendError,
    StatusUpdate,
)
from ventanilla.channels.models import (
    Channel,
    ChannelThrottle,
    EventKind,
    PendingStatus,
    Provider,
    WebhookEvent,
)
from ventanilla.channels.signals import message_received
from ventanilla.citizens.models import Identity
from ventanilla.citizens.services import set_opt_out
from ventanilla.citizens.urns import InvalidUrn, normalise_urn
from ventanilla.conversations.models import (
    STATUS_RANK,
    Attachment,
    DeliveryStatus,
    Direction,
    Message,
)
from ventanilla.conversations.services import record_inbound
from ventanilla.core.events import publish_on_commit
from ventanilla.core.models import Council

log = structlog.get_logger(__name__)

#: a status for a message we never learn about (sent by another system) is dropped after this
PENDING_STATUS_TTL = dt.timedelta(days=1)
#: the resident asked not to be written to (or blocked us) with these channel events
OPT_OUT_EVENTS = {EventKind.STOP, EventKind.UNFOLLOW}
_TIMESTAMP_FIELD = {
    DeliveryStatus.SENT: "sent_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.READ: "read_at",
}


# -- configuration ---------------------------------------------------------------------


class ChannelConfigError(ValueError):
    """The channel cannot be created as asked; the text says what is missing."""


@transaction.atomic
def create_channel(
    *,
    council: Council,
    provider: str,
    name: str,
    secrets: dict[str, str],
    api_base: str = "",
    rate_per_second: float | None = None,
    options: dict[str, Any] | None = None,
) -> Channel:
    """Create a channel; raise ChannelConfigError when a secret the provider needs is missing."""
    try:
        kind = Provider(provider)
    except ValueError:
        raise ChannelConfigError(_("Unknown provider: %(name)s") % {"name": provider}) from None
    missing = [key for key in provider_class(kind).required_secrets if not secrets.get(key)]
    if missing:
        raise ChannelConfigError(_("Missing secrets: %(names)s") % {"names": ", ".join(missing)})
    if rate_per_second is not None and rate_per_second <= 0:
        raise ChannelConfigError(_("The sending rate must be above zero."))
    channel = Channel(
        council=council,
        provider=kind,
        name=name,
        api_base=api_base.rstrip("/"),
        options=options or {},
    )
    if rate_per_second is not None:
        channel.rate_per_second = rate_per_second
    channel.secrets = {key: value for key, value in secrets.items() if value}
    channel.save()
    return channel


# -- webhooks --------------------------------------------------------------------------


@dataclass
class Received:
    """What one webhook changed: for logs and tests."""

    stored: list[int] = field(default_factory=list)  # ids of messages stored now
    duplicates: int = 0
    statuses: int = 0
    events: int = 0


def receive(*, channel: Channel, parsed: ParsedWebhook) -> Received:
    """Store what one verified webhook carried: messages, then statuses, then events.

    A message the channel already holds (the provider re-delivered it, perhaps several
    times at once) is skipped. For each new message, once committed, the media download is
    queued and ``message_received`` is sent: the dialog answers it exactly once.
    """
    received = Received()
    for inbound in parsed.messages:
        message = _store_inbound(channel, inbound)
        if message is None:
            received.duplicates += 1
        else:
            received.stored.append(message.pk)
    for update in parsed.statuses:
        try:
            apply_status(channel=channel, update=update)
            received.statuses += 1
        except (DataError, ValueError):
            log.warning("webhook_status_refused", channel=channel.pk, provider=channel.provider)
    for event in parsed.events:
        try:
            if record_event(channel=channel, event=event) is not None:
                received.events += 1
        except (DataError, ValueError):
            log.warning("webhook_event_refused", channel=channel.pk, provider=channel.provider)
    return received


def _store_inbound(channel: Channel, inbound: InboundMessage) -> Message | None:
    """Store one message once; a sender or id we cannot store becomes a named event."""
    if len(inbound.provider_message_id) > 200 or len(inbound.urn) > 255:
        return _refuse_inbound(channel, inbound, "message_too_long_ids")
    try:
        message = record_inbound(channel=channel, inbound=inbound)  # its own transaction
    except InvalidUrn:
        return _refuse_inbound(channel, inbound, "invalid_sender")
    except (DataError, ValueError):
        return _refuse_inbound(channel, inbound, "invalid_message")
    if message is not None:
        # Runs at once when committed, or when an enclosing transaction commits.
        transaction.on_commit(
            partial(
                _hand_over,
                message,
                media=bool(inbound.attachments),
                callback=bool(inbound.callback_id),
            )
        )
    return message


def _refuse_inbound(channel: Channel, inbound: InboundMessage, name: str) -> None:
    log.warning("webhook_message_refused", channel=channel.pk, provider=channel.provider, name=name)
    event = ChannelEvent(
        kind="unsupported", name=name, provider_event_id=inbound.provider_message_id[:200]
    )
    record_event(channel=channel, event=event)
    return None


def _hand_over(message: Message, *, media: bool, callback: bool) -> None:
    """Queue the slow work for a new message and tell the dialog (after the commit)."""
    from ventanilla.channels import tasks

    try:
        if media:
            tasks.download_media.enqueue(message.pk)
        if callback:
            tasks.answer_callback.enqueue(message.pk)
    except Exception:  # the message is stored: an error answer now would not bring it back
        log.exception("webhook_follow_up_not_queued", message=message.pk)
    for receiver, response in message_received.send_robust(sender=Message, message=message):
        if isinstance(response, Exception):
            log.error(
                "message_received_receiver_failed",
                receiver=getattr(receiver, "__qualname__", repr(receiver)),
                message=message.pk,
                exc_info=response,
            )


def apply_status(*, channel: Channel, update: StatusUpdate) -> None:
    """Move the outbound message ``update`` refers to forward (never back).

    A status for a message whose send call has not returned yet (so it has no provider id)
    is kept as a PendingStatus and applied when the send task records the id.
    """
    with transaction.atomic():
        message_id = (
            Message.objects.filter(
                channel=channel,
                direction=Direction.OUT,
                provider_message_id=update.provider_message_id,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if message_id is not None:
            _advance(message_id, update)
            return
        PendingStatus.objects.create(
            channel=channel,
            provider_message_id=update.provider_message_id,
            status=update.status,
            error_code=update.error_code[:50],
            error_title=update.error_title,
            at=update.at,
        )
        PendingStatus.objects.filter(
            channel=channel, created_at__lt=timezone.now() - PENDING_STATUS_TTL
        ).delete()
        # The send may have recorded its id between our look-up and our commit: look again
        # once both are visible (the send task does the same after its own commit).
        transaction.on_commit(
            partial(
                apply_pending_statuses,
                channel_id=channel.pk,
                provider_message_id=update.provider_message_id,
            )
        )


def apply_pending_statuses(*, channel_id: int, provider_message_id: str) -> int:
    """Apply the statuses that arrived early for a message now sent; return how many."""
    pending_rows = PendingStatus.objects.filter(
        channel_id=channel_id, provider_message_id=provider_message_id
    )
    # Nearly always none: skip the lock. A row committed just after this look is still
    # applied, by the post-commit pass of the webhook that stored it.
    if not provider_message_id or not pending_rows.exists():
        return 0
    with transaction.atomic():
        message = (
            Message.objects.select_for_update()
            .filter(
                channel_id=channel_id,
                direction=Direction.OUT,
                provider_message_id=provider_message_id,
            )
            .only("pk")
            .first()
        )
        if message is None:
            return 0
        pending = list(pending_rows.order_by("pk"))
        for row in pending:
            update = StatusUpdate(
                provider_message_id=row.provider_message_id,
                status=row.status,  # type: ignore[arg-type]
                at=row.at,
                error_code=row.error_code,
                error_title=row.error_title,
            )
            _advance(message.pk, update)
        PendingStatus.objects.filter(pk__in=[row.pk for row in pending]).delete()
    return len(pending)


def _advance(message_id: int, update: StatusUpdate) -> bool:
    """Set the status if it is further along than the stored one; fill its timestamp."""
    status = DeliveryStatus(update.status)
    at = update.at or timezone.now()
    earlier = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
    changes: dict[str, Any] = {"status": status}
    if status == DeliveryStatus.FAILED:
        changes["error_code"] = update.error_code[:50]
        changes["error_reason"] = update.error_title or update.error_code
    # One conditional UPDATE: two statuses arriving together cannot undo each other.
    moved = Message.objects.filter(pk=message_id, status__in=earlier).update(**changes)
    stamps = [_TIMESTAMP_FIELD[status]] if status in _TIMESTAMP_FIELD else []
    if status == DeliveryStatus.READ:
        stamps.append("delivered_at")  # read implies delivered, whatever arrives later
    for name in stamps:
        Message.objects.filter(pk=message_id, **{f"{name}__isnull": True}).update(**{name: at})
    if moved:
        _show_ticks(message_id)
    return bool(moved)


def _show_ticks(message_id: int) -> None:
    """Tell open staff pages that a message's delivery status changed."""
    row = Message.objects.filter(pk=message_id).values("council_id", "conversation_id").first()
    if row is not None:
        publish_on_commit(
            council_id=row["council_id"],
            kind="message",
            data={"conversation": row["conversation_id"], "message": message_id},
        )


def record_event(*, channel: Channel, event: ChannelEvent) -> WebhookEvent | None:
    """Record a channel event once; a stop or a block opts the resident out."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = WebhookEvent.objects.create(
                    channel=channel,
                    kind=event.kind,
                    name=event.name[:100],
                    urn=event.urn[:255],
                    provider_event_id=event.provider_event_id[:200],
                )
        except IntegrityError:
            return None  # the provider delivered this event before
        if event.kind in OPT_OUT_EVENTS and event.urn:
            opt_out_resident(channel=channel, urn=event.urn)
    if event.kind == EventKind.UNSUPPORTED:
        log.info(
            "webhook_event_unsupported",
            channel=channel.pk,
            provider=channel.provider,
            name=event.name,
        )
    return row


def opt_out_resident(*, channel: Channel, urn: str) -> bool:
    """Mark the resident reached at ``urn`` as opted out; return whether it changed."""
    try:
        urn = normalise_urn(urn)
    except InvalidUrn:
        return False
    identity = (
        Identity.objects.select_related("citizen")
        .filter(council_id=channel.council_id, urn=urn)
        .first()
    )
    if identity is None or identity.citizen.opted_out:
        return False
    set_opt_out(citizen=identity.citizen, opted_out=True)
    log.info("resident_opted_out", channel=channel.pk, citizen=identity.citizen_id)
    return True


# -- sending ---------------------------------------------------------------------------


def take_send_slot(*, channel: Channel) -> dt.datetime:
    """Reserve the channel's next sending slot and return its time.

    Slots are ``1 / rate_per_second`` apart and live in one row per channel, taken under a
    row lock (PostgreSQL) or the write lock (SQLite), so the rate holds across every worker
    process together.
    """
    now = timezone.now()
    if channel.rate_per_second <= 0:
        return now
    interval = dt.timedelta(seconds=1 / channel.rate_per_second)
    with transaction.atomic():
        throttle = ChannelThrottle.objects.select_for_update().filter(channel=channel).first()
        if throttle is None:
            try:
                with transaction.atomic():
                    ChannelThrottle.objects.create(channel=channel, next_slot_at=now + interval)
                return now
            except IntegrityError:  # another worker created it at the same moment
                throttle = ChannelThrottle.objects.select_for_update().get(channel=channel)
        slot = max(timezone.now(), throttle.next_slot_at)
        throttle.next_slot_at = slot + interval
        throttle.save(update_fields=["next_slot_at"])
    return slot


def claim_send_attempt(*, message: Message) -> int | None:
    """Count one more send attempt for a queued message; None if another worker has it."""
    attempt = message.attempts + 1
    claimed = Message.objects.filter(
        pk=message.pk, status=DeliveryStatus.QUEUED, attempts=message.attempts
    ).update(attempts=attempt)
    if not claimed:
        return None
    message.attempts = attempt
    return attempt


def record_sent(*, message: Message, provider_message_id: str) -> None:
    """Mark the message sent with the provider's id and apply statuses that came early."""
    now = timezone.now()
    fields = {"status": DeliveryStatus.SENT, "sent_at": now, "error_code": "", "error_reason": ""}
    queued = Message.objects.filter(pk=message.pk, status=DeliveryStatus.QUEUED)
    try:
        with transaction.atomic():
            queued.update(provider_message_id=provider_message_id, **fields)
    except IntegrityError:
        # The provider gave an id the channel already holds: keep the message sent without
        # it rather than lose the send (its statuses cannot be matched).
        log.error("provider_message_id_reused", channel=message.channel_id, message=message.pk)
        queued.update(**fields)
        _show_ticks(message.pk)
        return
    _show_ticks(message.pk)
    apply_pending_statuses(channel_id=message.channel_id, provider_message_id=provider_message_id)


def record_send_failure(*, message: Message, error: SendError) -> None:
    """Mark the message failed with the provider's reason, for staff to see; no retry."""
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.FAILED,
            error_code=error.code[:50],
            error_reason=error.reason,
        )
        _show_ticks(message.pk)
        if error.resident_stopped:
            opt_out_resident(channel=message.channel, urn=message.conversation.urn)


def record_send_retry(*, message: Message, error: SendError) -> None:
    """Keep the message queued and show staff why it is waiting."""
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=DeliveryStatus.QUEUED).update(
            error_code=error.code[:50], error_reason=error.reason
        )
        if error.resident_stopped:
            opt_out_resident(channel=message.channel, urn=message.conversation.urn)


# -- media -----------------------------------------------------------------------------


def store_attachment_file(*, attachment: Attachment, data: bytes, content_type: str) -> None:
    """Save a downloaded attachment's bytes under a safe name with its content type."""
    content_type = (content_type or attachment.content_type or "").split(";")[0].strip()
    attachment.file.save(attachment_filename(attachment, content_type), ContentFile(data), False)
    attachment.content_type = content_type[:100]
    attachment.save(update_fields=["file", "content_type"])


def attachment_filename(attachment: Attachment, content_type: str) -> str:
    """Return the resident's file name made safe, or ``<kind>-<message>-<id><ext>``."""
    extension = mimetypes.guess_extension(content_type or "") or ""
    if extension == ".jpe":  # older mimetypes tables prefer it for image/jpeg
        extension = ".jpg"
    original = PurePosixPath(attachment.filename.replace("\\", "/")).name
    try:
        name = get_valid_filename(original) if original else ""
    except SuspiciousFileOperation:  # a name like "..": fall back to ours
        name = ""
    if not name:
        name = f"{attachment.kind or 'file'}-{attachment.message_id}-{attachment.pk}"
    if not PurePosixPath(name).suffix:
        name += extension
    return name[-100:]
