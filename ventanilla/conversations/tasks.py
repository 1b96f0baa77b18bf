"""Background work of conversations: answering a resident's message with the dialog.

The webhook only stores the message; the answer runs here, in a worker, so the provider gets
its 200 at once. The conversation's row is locked while the dialog runs, so two messages from
one resident are answered one at a time and in order, whichever workers pick them up.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from ventanilla.conversations import dialog
from ventanilla.conversations.models import Conversation, Direction, Message


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


def enqueue_dialog(*, message: Message) -> None:
    """Queue the dialog's answer to a new inbound message (``inbound`` calls it on commit)."""
    if message.direction == Direction.IN:
        handle_message.enqueue(message.pk)
