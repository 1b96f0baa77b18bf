"""The conversations' part of data-subject rights and retention: messages and files.

Added to :mod:`ventanilla.privacy.subjects` and :mod:`ventanilla.privacy.retention` from
``ventanilla.wiring``. Erasing deletes the resident's conversations with every message in
and out and every file (staff's replies name the resident too); the case keeps its dates, so
response times and statistics still count it.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction

from ventanilla.conversations.models import Attachment, Conversation, Message
from ventanilla.privacy.subjects import Rows, Subject


def export(subject: Subject) -> Mapping[str, Rows]:
    conversations = Conversation.objects.filter(citizen_id=subject.citizen_id).select_related(
        "channel"
    )
    messages = (
        Message.objects.filter(conversation__citizen_id=subject.citizen_id)
        .select_related("case")
        .order_by("created_at", "id")
    )
    attachments = Attachment.objects.filter(
        message__conversation__citizen_id=subject.citizen_id
    ).order_by("created_at", "id")
    return {
        "conversations": [
            {"channel": c.channel.name, "address": c.urn, "started": c.created_at}
            for c in conversations
        ],
        "messages": [
            {
                "at": m.created_at,
                "direction": m.get_direction_display(),
                "text": m.text,
                "address": m.address,
                "latitude": m.latitude,
                "longitude": m.longitude,
                "case": m.case.reference if m.case else "",
            }
            for m in messages
        ],
        "attachments": [
            {
                "at": a.created_at,
                "kind": a.kind,
                "file_name": a.filename or (a.file.name.rsplit("/", 1)[-1] if a.file else ""),
                "content_type": a.content_type,
                "caption": a.caption,
            }
            for a in attachments
        ],
    }


def delete_files(attachments: list[Attachment]) -> None:
    """Delete the stored files once the transaction commits (a rollback keeps them)."""
    names = [(a.file.storage, a.file.name) for a in attachments if a.file]

    def remove() -> None:
        for storage, name in names:
            storage.delete(name)

    transaction.on_commit(remove)


@transaction.atomic
def erase(subject: Subject) -> Mapping[str, int]:
    """Delete the resident's conversations, their messages in and out, and their files."""
    attachments = list(
        Attachment.objects.filter(message__conversation__citizen_id=subject.citizen_id)
    )
    delete_files(attachments)
    _, deleted = Conversation.objects.filter(citizen_id=subject.citizen_id).delete()
    return {
        "conversations": deleted.get("conversations.Conversation", 0),
        "messages": deleted.get("conversations.Message", 0),
        "attachments": deleted.get("conversations.Attachment", 0),
    }
