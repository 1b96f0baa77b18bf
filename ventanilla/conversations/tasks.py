"""Background work of conversations: answering a resident's message with the dialog.

The webhook only stores the message; the answer runs in a worker, so the provider gets its
200 at once: right after the batch that stored them (``answer_now``), or as a task of its
own (``handle_message``) for messages from elsewhere (the web chat, mail, polled posts).
The conversation's row is locked while the dialog runs, so two messages from one resident
are answered one at a time and in order, whichever workers pick them up.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django_tasks import task

from ventanilla.conversations import dialog
from ventanilla.conversations.delivery_tasks import wakes_held
from ventanilla.conversations.dialog.state import DialogState
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.core.batch_reads import read_once

log = structlog.get_logger(__name__)


@task(queue_name="default")
def handle_message(message_id: int) -> int:
    """Run the dialog for an inbound message (and any earlier one still unanswered)."""
    with transaction.atomic():
        conversation_id = (
            Message.objects.filter(pk=message_id, direction=Direction.IN)
            .values_list("conversation_id", flat=True)
            .first()
        )
        if conversation_id is None:
            return 0
        conversation = (
            Conversation.objects.select_for_update(of=("self",))
            .select_related("council", "citizen", "channel")
            .get(pk=conversation_id)
        )
        return dialog.process_pending(conversation=conversation, message_id=message_id)


def answer_now(messages: Sequence[Message]) -> list[Message]:
    """Answer inbound messages at once, a conversation at a time; return those not answered.

    The batch path of stored webhooks (after the batch that stored them commits): no task per
    message. Each conversation is answered in a short transaction of its own that holds its
    row lock, as ``handle_message`` does: a case opened there takes the council's numbering
    locks for milliseconds, not for a whole batch. Conversations go in id order; a
    conversation whose turn fails is left to ``handle_message`` (the caller queues it).
    The channels' dispatchers are woken once, at the end (``wakes_held``).

    On PostgreSQL each answer's commit returns before its log reaches the disk: waiting for
    the disk at each of them kept the workers idle (a resident's first message: 290 answered
    a second with the wait, 330 without). The caller, ``ingest.process_due``, marks the
    deliveries done after these with an ordinary commit, and the log is written in order:
    once that mark is on disk, so is every answer before it. If the database stops before
    that, the deliveries are not done: the next worker answers what is stored but
    unanswered, as after a worker killed mid-batch, and a reply a dispatcher sent in that
    moment may be sent twice. ``SET LOCAL`` lasts one transaction, so a connection pooler in
    transaction mode passes it to no one else.
    """
    lazy = connection.vendor == "postgresql"
    by_conversation: dict[int, list[Message]] = {}
    for message in sorted(messages, key=lambda message: message.pk):
        if message.direction == Direction.IN:
            by_conversation.setdefault(message.conversation_id, []).append(message)
    # Read once for all, then each locked in its turn; one a worker answered meanwhile
    # (its state changed) is read again under the lock.
    conversations = Conversation.objects.select_related("council", "citizen", "channel").in_bulk(
        list(by_conversation)
    )
    # The batch's attachments in one query: a new resident's first message is then answered
    # as it is, not read again with its attachments in a query of its own.
    prefetch_related_objects(
        [message for waiting in by_conversation.values() for message in waiting], "attachments"
    )
    unanswered: list[Message] = []
    with read_once(), wakes_held():
        for conversation_id in sorted(by_conversation):
            waiting = by_conversation[conversation_id]
            conversation = conversations.get(conversation_id)
            try:
                with transaction.atomic():
                    if lazy:
                        with connection.cursor() as cursor:
                            cursor.execute("SET LOCAL synchronous_commit TO off")
                    locked = (
                        Conversation.objects.select_for_update()
                        .filter(pk=conversation_id)
                        .values_list("state", flat=True)
                        .first()
                    )
                    if conversation is None or locked is None:  # deleted meanwhile
                        continue
                    if locked != conversation.state:
                        conversation.refresh_from_db()
                        conversation.citizen.refresh_from_db()
                    for message in waiting:
                        if message.pk in DialogState.load(conversation.state).handled:
                            continue  # answered with an earlier message of the batch
                        dialog.process_pending(
                            conversation=conversation, message_id=message.pk, stored=message
                        )
            except Exception:
                log.exception("dialog_batch_turn_failed", conversation=conversation_id)
                unanswered.extend(waiting)
    return unanswered


def still_unanswered(*, channel_id: int, provider_message_id: str) -> Message | None:
    """Return the stored message with this provider id if the dialog has not answered it yet.

    For a stored webhook processed again because the worker that stored its messages died
    before it answered them: those are answered now, the others never twice.
    """
    message = (
        Message.objects.select_related("conversation")
        .filter(channel_id=channel_id, provider_message_id=provider_message_id)
        .filter(direction=Direction.IN)
        .first()
    )
    if message is None:
        return None
    state = DialogState.load(message.conversation.state)
    if message.pk in state.handled or (state.handled_through or 0) >= message.pk:
        return None
    return message


def enqueue_dialog(*, message: Message) -> None:
    """Queue the dialog's answer to a new inbound message (``inbound`` calls it on commit)."""
    if message.direction == Direction.IN:
        handle_message.enqueue(message.pk)
