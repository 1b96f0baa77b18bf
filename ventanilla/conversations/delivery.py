"""The write path of delivery: what a send records, and the statuses providers report.

A message moves forward only (queued → sent → delivered → read, or failed); a status that
arrives before the send call returned is kept by ``channels`` and applied once the send
records the provider's id. Every change refreshes the staff pages that show the message.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Sequence
from functools import partial
from pathlib import PurePosixPath
from typing import Any

import structlog
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import get_valid_filename

from ventanilla.channels import services as channel_services
from ventanilla.channels.adapters.base import SendError, StatusUpdate
from ventanilla.channels.models import Channel
from ventanilla.citizens.services import opt_out_resident
from ventanilla.conversations.models import (
    STATUS_RANK,
    Attachment,
    DeliveryStatus,
    Direction,
    Message,
)
from ventanilla.core.events import publish_many_on_commit, publish_on_commit

log = structlog.get_logger(__name__)

_TIMESTAMP_FIELD = {
    DeliveryStatus.SENT: "sent_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.READ: "read_at",
}


# -- statuses --------------------------------------------------------------------------


def apply_status(*, channel: Channel, update: StatusUpdate) -> None:
    """Move the outbound message ``update`` refers to forward (never back).

    A status for a message whose send call has not returned yet (so it has no provider id)
    is kept as a PendingStatus and applied when the send task records the id.
    """
    apply_statuses(channel=channel, updates=[update])


def apply_pending_statuses(*, channel_id: int, provider_message_id: str) -> int:
    """Apply the statuses that arrived early for a message now sent; return how many."""
    # Nearly always none: skip the lock. A row committed just after this look is still
    # applied, by the post-commit pass of the webhook that stored it.
    if not channel_services.has_pending_statuses(
        channel_id=channel_id, provider_message_id=provider_message_id
    ):
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
        pending = channel_services.claim_pending_statuses(
            channel_id=channel_id, provider_message_id=provider_message_id
        )
        for update in pending:
            _advance(message.pk, update)
    return len(pending)


def apply_statuses(*, channel: Channel, updates: Sequence[StatusUpdate]) -> int:
    """Apply many statuses of one channel at once (a batch of stored webhooks); return how
    many messages moved.

    The set-based form of :func:`apply_status`: one look-up for every message, one
    conditional UPDATE per status reached, one per timestamp column. A message only moves
    forward, whatever order the statuses come in; a failure is applied one by one (it is
    rare and carries its reason). Statuses for messages without a provider id yet are kept
    as PendingStatus rows in one insert, and looked at again once they are committed.
    """
    if not updates:
        return 0
    with transaction.atomic():
        wanted = {update.provider_message_id for update in updates}
        rows = Message.objects.filter(
            channel=channel, direction=Direction.OUT, provider_message_id__in=wanted
        ).values_list("provider_message_id", "pk", "status", "conversation_id")
        found = {row[0]: (row[1], DeliveryStatus(row[2])) for row in rows}
        conversation_of = {row[1]: row[3] for row in rows}
        reached: dict[int, DeliveryStatus] = {}  # message -> furthest status reported
        stamps: dict[str, dict[int, dt.datetime]] = {}  # column -> message -> first time
        early: list[StatusUpdate] = []
        moved = 0
        now = timezone.now()
        for update in updates:
            if update.provider_message_id not in found:
                early.append(update)
                continue
            pk, stored = found[update.provider_message_id]
            status = DeliveryStatus(update.status)
            if status == DeliveryStatus.FAILED:
                moved += _advance(pk, update)
                continue
            if STATUS_RANK[status] > STATUS_RANK[reached.get(pk, stored)]:
                reached[pk] = status
            columns = [_TIMESTAMP_FIELD[status]] if status in _TIMESTAMP_FIELD else []
            if status == DeliveryStatus.READ:
                columns.append("delivered_at")  # read implies delivered
            for column in columns:
                stamps.setdefault(column, {}).setdefault(pk, update.at or now)
        by_status: dict[DeliveryStatus, list[int]] = {}
        for pk, status in reached.items():
            by_status.setdefault(status, []).append(pk)
        for status, pks in by_status.items():
            earlier = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
            # Conditional: a status applied meanwhile by another worker is never undone.
            moved += Message.objects.filter(pk__in=pks, status__in=earlier).update(status=status)
        for column, times in stamps.items():
            value = Case(
                *(When(pk=pk, then=Value(at)) for pk, at in times.items()),
                output_field=DateTimeField(),
            )
            Message.objects.filter(pk__in=times, **{f"{column}__isnull": True}).update(
                **{column: value}
            )
        publish_many_on_commit(
            kind="message",
            events=[
                (channel.council_id, {"conversation": conversation_of[pk], "message": pk})
                for pk in sorted(reached)
            ],
        )
        if early:
            channel_services.keep_pending_statuses(channel=channel, updates=early)
            # A send may record its id between our look-up and our commit: look again once
            # both are visible (the send does the same after its own commit).
            transaction.on_commit(
                partial(
                    apply_pending_statuses_of,
                    channel_id=channel.pk,
                    provider_message_ids=sorted({u.provider_message_id for u in early}),
                )
            )
    return moved


def apply_pending_statuses_of(*, channel_id: int, provider_message_ids: Sequence[str]) -> int:
    """Apply kept statuses for those of these provider ids that now name a sent message."""
    sent = Message.objects.filter(
        channel_id=channel_id, direction=Direction.OUT, provider_message_id__in=provider_message_ids
    ).values_list("provider_message_id", flat=True)
    return sum(
        apply_pending_statuses(channel_id=channel_id, provider_message_id=provider_id)
        for provider_id in sent
    )


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


# -- sending ---------------------------------------------------------------------------


def claim_due(
    *, channel: Channel, limit: int, lease: dt.timedelta, now: dt.datetime | None = None
) -> list[Message]:
    """Claim up to ``limit`` of the channel's due messages for one sender, replies first.

    A message is due when it is queued, its time has come (``due_at``; a broadcast releases
    its own) and no live worker holds it; one whose holder died (its lease ran out) is due
    again, with one more attempt counted. Rows other workers are claiming are skipped
    (PostgreSQL's SKIP LOCKED; SQLite has one writer at a time).
    """
    now = now or timezone.now()
    if limit <= 0:
        return []
    # A resident's messages go in order: none is taken while an earlier one to the same
    # conversation is being sent by another dispatcher, or was tried and waits for its next
    # try (a reply does not wait for a broadcast's message, nor the other way round).
    earlier_in_flight = Message.objects.filter(
        Q(claimed_until__gt=now) | Q(attempts__gt=0, bulk=OuterRef("bulk")),
        conversation_id=OuterRef("conversation_id"),
        direction=Direction.OUT,
        status=DeliveryStatus.QUEUED,
        pk__lt=OuterRef("pk"),
    )
    with transaction.atomic():
        ids = list(
            due_messages(channel_id=channel.pk, now=now)
            .exclude(Exists(earlier_in_flight))
            .select_for_update(skip_locked=True)
            .order_by("bulk", "due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Message.objects.filter(pk__in=ids).update(
            claimed_until=now + lease, attempts=F("attempts") + 1
        )
    messages = {
        m.pk: m for m in Message.objects.filter(pk__in=ids).select_related("conversation", "case")
    }
    for message in messages.values():
        message.channel = channel  # already loaded: no join
    return [messages[pk] for pk in ids if pk in messages]


def due_messages(*, channel_id: int, now: dt.datetime) -> QuerySet[Message]:
    """Return the channel's messages a dispatcher may claim at ``now``."""
    return Message.objects.filter(
        channel_id=channel_id,
        status=DeliveryStatus.QUEUED,
        direction=Direction.OUT,
        due_at__lte=now,
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def next_due_at(*, channel_id: int) -> dt.datetime | None:
    """Return when the channel's next queued message falls due (or its holder's lease ends)."""
    queued = Message.objects.filter(
        channel_id=channel_id, status=DeliveryStatus.QUEUED, direction=Direction.OUT
    ).exclude(due_at__isnull=True)
    due = queued.aggregate(
        due=Min("due_at", filter=Q(claimed_until__isnull=True)),
        lease=Min("claimed_until"),
    )
    times = [t for t in (due["due"], due["lease"]) if t is not None]
    return min(times) if times else None


def channels_with_due_messages(*, now: dt.datetime | None = None) -> list[int]:
    """Return the channels that have messages due or whose holder's lease ran out."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(status=DeliveryStatus.QUEUED, due_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by()
        .values_list("channel_id", flat=True)
        .distinct()
    )


def record_sent_many(*, channel: Channel, sent: list[tuple[Message, str]]) -> None:
    """Mark messages sent with the provider's ids (one UPDATE), show it, apply early statuses."""
    if not sent:
        return
    now = timezone.now()
    table = connection.ops.quote_name(Message._meta.db_table)
    # One statement run for each message (psycopg pipelines them): Django's bulk_update
    # builds a CASE of one WHEN per row, which costs more to compile than to run.
    # the table is the model's own; the values are parameters
    sql = (
        f"UPDATE {table} SET status = %s, sent_at = %s, error_code = '', "  # noqa: S608
        "error_reason = '', claimed_until = NULL, provider_message_id = %s "
        "WHERE id = %s AND status = %s"
    )
    stamp = Message._meta.get_field("sent_at").get_db_prep_value(now, connection)
    rows = [
        (DeliveryStatus.SENT.value, stamp, provider_id, message.pk, DeliveryStatus.QUEUED.value)
        for message, provider_id in sent
    ]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)
            for message, _ in sent:
                if "secret" in (message.payload or {}):  # sent: the one-time code is forgotten
                    forget = {k: v for k, v in message.payload.items() if k != "secret"}
                    Message.objects.filter(pk=message.pk).update(payload=forget)
    except IntegrityError:
        for message, provider_id in sent:  # one reused id: record them one by one
            record_sent(message=message, provider_message_id=provider_id)
        return
    publish_many_on_commit(
        kind="message",
        events=[
            (message.council_id, {"conversation": message.conversation_id, "message": message.pk})
            for message, _ in sent
        ],
    )
    early = channel_services.with_pending_statuses(
        channel_id=channel.pk, provider_message_ids=[provider_id for _, provider_id in sent]
    )
    for provider_id in sorted(early):
        apply_pending_statuses(channel_id=channel.pk, provider_message_id=provider_id)


def record_sent(*, message: Message, provider_message_id: str) -> None:
    """Mark the message sent with the provider's id and apply statuses that came early."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": DeliveryStatus.SENT,
        "sent_at": now,
        "error_code": "",
        "error_reason": "",
        "claimed_until": None,
    }
    if "secret" in (message.payload or {}):  # sent: the one-time code is forgotten
        fields["payload"] = {k: v for k, v in message.payload.items() if k != "secret"}
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
            payload={k: v for k, v in (message.payload or {}).items() if k != "secret"},
            status=DeliveryStatus.FAILED,
            error_code=error.code[:50],
            error_reason=error.reason,
            claimed_until=None,
        )
        _show_ticks(message.pk)
        if error.resident_stopped:
            opt_out_resident(council=message.channel.council, urn=message.conversation.urn)


def record_send_retries(*, retries: list[tuple[Message, SendError, dt.datetime]]) -> None:
    """Keep messages queued until their next attempt, and show staff why they wait."""
    if not retries:
        return
    with transaction.atomic():
        for message, error, due_at in retries:
            message.due_at = due_at
            message.claimed_until = None
            message.error_code = error.code[:50]
            message.error_reason = error.reason
        Message.objects.filter(status=DeliveryStatus.QUEUED).bulk_update(
            [message for message, _, _ in retries],
            ["due_at", "claimed_until", "error_code", "error_reason"],
        )
        for message, error, _ in retries:
            if error.resident_stopped:
                opt_out_resident(council=message.channel.council, urn=message.conversation.urn)


def release_unsent(*, messages: list[Message]) -> None:
    """Give back claimed messages that were not tried: due again, no attempt counted."""
    if not messages:
        return
    Message.objects.filter(pk__in=[m.pk for m in messages], status=DeliveryStatus.QUEUED).update(
        claimed_until=None, attempts=Greatest(F("attempts") - 1, Value(0))
    )


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
