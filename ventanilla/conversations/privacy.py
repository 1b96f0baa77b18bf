"""The conversations' part of data-subject rights and retention: messages and files.

Added to :mod:`ventanilla.privacy.subjects` and :mod:`ventanilla.privacy.retention` from
``ventanilla.wiring``. Erasing deletes the resident's conversations with every message in
and out and every file (staff's replies name the resident too); the case keeps its dates, so
response times and statistics still count it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet

from ventanilla.cases.models import Case
from ventanilla.cases.workflow import OPEN_STATUSES
from ventanilla.citizens.models import Citizen, Identity
from ventanilla.conversations.models import Attachment, Conversation, Message
from ventanilla.core.models import Council
from ventanilla.privacy.retention import Cutoffs
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


# -- retention --------------------------------------------------------------------------------


def _old_messages(council: Council, cutoffs: Cutoffs) -> QuerySet[Message]:
    """Return the council's messages past their cutoff, except those of cases still open."""
    return (
        Message.objects.filter(council=council)
        .filter(cutoffs.q("created_at", "case__category__code"))
        .exclude(case__status__in=OPEN_STATUSES)
    )


@transaction.atomic
def retain_message_text(*, council: Council, cutoffs: Cutoffs, dry_run: bool) -> int:
    """Blank the text and place of old messages (the rows stay: dates and delivery counts)."""
    old = _old_messages(council, cutoffs).filter(
        Q(text__gt="") | Q(address__gt="") | Q(latitude__isnull=False)
    )
    if dry_run:
        return old.count()
    return old.update(text="", address="", latitude=None, longitude=None, payload={})


@transaction.atomic
def retain_attachments(*, council: Council, cutoffs: Cutoffs, dry_run: bool) -> int:
    """Delete old photos and files (copies approved for the public record stay)."""
    old = Attachment.objects.filter(message__in=_old_messages(council, cutoffs)).filter(
        ~Q(file="") | Q(caption__gt="") | Q(filename__gt="") | Q(media_ref__gt="")
    )
    if dry_run:
        return old.count()
    attachments = list(old)
    delete_files(attachments)
    return Attachment.objects.filter(pk__in=[a.pk for a in attachments]).update(
        file="", caption="", filename="", media_ref=""
    )


def stale_residents(*, council: Council, cutoff: dt.datetime) -> list[str]:
    """Return one address of each resident not heard from since ``cutoff`` and no open case."""
    recent = Conversation.objects.filter(citizen=OuterRef("pk")).filter(
        Q(last_inbound_at__gte=cutoff) | Q(created_at__gte=cutoff)
    )
    open_cases = Case.objects.filter(citizen=OuterRef("pk"), status__in=OPEN_STATUSES)
    citizens = (
        Citizen.objects.of(council)
        .filter(created_at__lt=cutoff)
        .exclude(Exists(recent))
        .exclude(Exists(open_cases))
    )
    urns = dict(
        Identity.objects.filter(citizen__in=citizens)
        .order_by("-pk")
        .values_list("citizen_id", "urn")
    )
    return sorted(urns.values())
