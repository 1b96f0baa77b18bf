"""Background work of conversations: answering a resident's message with the dialog.

The webhook only stores the message; the answer runs in a worker, so the provider gets its
200 at once: in the batch that processes stored webhooks (``answer_now``), or as a task of
its own (``handle_message``) for messages from elsewhere (the web chat, mail, polled posts).
The conversation's row is locked while the dialog runs, so two messages from one resident
are answered one at a time and in order, whichever workers pick them up.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from django.db import transaction
from django_tasks import task

from ventanilla.conversations import dialog
from ventanilla.conversations.bot_templates import read_once
from ventanilla.conversations.models import Conversation, Direction, Message

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
    """Answer new inbound messages inside the caller's transaction; return those not answered.

    The batch path of stored webhooks: the answers commit with the messages, so a worker
    killed in between leaves neither, and a batch costs no task per message. The batch's
    conversations are locked in one query, in id order (two workers never wait on each other
    in a circle); each conversation's messages are answered in a savepoint of their own, in
    order. A conversation that fails there is left to ``handle_message`` (the caller queues it).
    """
    by_conversation: dict[int, list[Message]] = {}
    for message in sorted(messages, key=lambda message: message.pk):
        if message.direction == Direction.IN:
            by_conversation.setdefault(message.conversation_id, []).append(message)
    if not by_conversation:
        return []
    conversations = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("council", "citizen", "channel")
        .filter(pk__in=by_conversation)
        .order_by("pk")
    )
    unanswered: list[Message] = []
    with read_once():
        for conversation in conversations:
            waiting = by_conversation.pop(conversation.pk)
            try:
                with transaction.atomic():
                    for message in waiting:
                        dialog.process_pending(conversation=conversation, message_id=message.pk)
            except Exception:
                log.exception("dialog_batch_turn_failed", conversation=conversation.pk)
                conversation.refresh_from_db()
                unanswered.extend(waiting)
    for waiting in by_conversation.values():  # deleted meanwhile: nothing to answer
        unanswered.extend(waiting)
    return unanswered


def enqueue_dialog(*, message: Message) -> None:
    """Queue the dialog's answer to a new inbound message (``inbound`` calls it on commit)."""
    if message.direction == Direction.IN:
        handle_message.enqueue(message.pk)
