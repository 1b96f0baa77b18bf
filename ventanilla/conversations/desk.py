"""What staff do with a conversation that is not (yet) a case: answer it, make it a case, close it.

A resident who asks for a person ("Hablar con una persona") is left to staff by the dialog
(``dialog.handoff``: ``Conversation.handoff_at`` is set and the bot stays quiet); so is any
message that no case holds (menu chatter, an opt-out, a report left half-way). The inbox
lists those conversations; these functions are what an agent can do with one. Each checks
that ``by`` may act (staff of the conversation's council, in a role that acts).
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_date
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.cases.access import can_act, staff_of
from ventanilla.cases.models import Case, Category, Department
from ventanilla.cases.services import CaseError, NotAllowed, open_case, transfer_case
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations import dialog
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.services import attach_messages_to_case, queue_outbound
from ventanilla.core.actors import Actor
from ventanilla.core.events import publish_on_commit

#: the longest description taken from a conversation's messages for a case opened from it
DESCRIPTION_LIMIT = 4000


def check_may_answer(*, conversation: Conversation, by: Actor) -> None:
    """Refuse ``by`` unless they are staff of the conversation's council who may act."""
    if by is None:
        return
    staff = staff_of(by)
    if staff is None or staff.council_id != conversation.council_id or not can_act(by):
        raise NotAllowed(_("You may not act on this conversation."))


def loose_messages(conversation: Conversation) -> QuerySet[Message]:
    """Return the resident's messages that no case holds, since staff last closed the chat."""
    messages = Message.objects.filter(
        conversation=conversation, direction=Direction.IN, case__isnull=True
    )
    if conversation.closed_at is not None:
        messages = messages.filter(created_at__gt=conversation.closed_at)
    return messages.order_by("created_at", "id")


@transaction.atomic
def reply_to_conversation(*, conversation: Conversation, by: Actor, text: str) -> Message:
    """Queue an agent's answer to the resident; the bot keeps quiet while they talk.

    Raise ``CaseError`` for an empty text, ``NotAllowed`` when ``by`` may not act and
    ``OutboundRefused`` when the provider would refuse the message (WhatsApp's window).
    """
    check_may_answer(conversation=conversation, by=by)
    text = text.strip()
    if not text:
        raise CaseError(_("Write the answer to send."))
    return queue_outbound(conversation=conversation, text=text, author=by)


@dataclass(frozen=True)
class Opened:
    """A case opened from a conversation, and whether its resident got the reference."""

    case: Case
    told: bool


@transaction.atomic
def open_case_from_conversation(
    *,
    conversation: Conversation,
    category: Category,
    by: Actor,
    department: Department | None = None,
    description: str = "",
) -> Opened:
    """Open a case from the conversation, attach its loose messages, tell the resident.

    The case goes to ``department`` when given (else the category's). The resident gets the
    reference at once, in their language; when the provider would refuse the message
    (WhatsApp's window closed), the case is opened all the same and ``OutboundRefused`` is
    not raised: ``Opened.told`` says whether the resident was told.
    """
    check_may_answer(conversation=conversation, by=by)
    if category.council_id != conversation.council_id:
        raise CaseError(_("That category belongs to another council."))
    if department is not None and department.council_id != conversation.council_id:
        raise CaseError(_("That department belongs to another council."))
    locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
    messages = list(loose_messages(locked))
    if not description.strip():
        description = "\n".join(m.text for m in messages if m.text)[:DESCRIPTION_LIMIT]
    located = next((m for m in reversed(messages) if m.latitude is not None), None)
    case = open_case(
        category=category,
        description=description.strip() or category.name,
        citizen=locked.citizen,
        channel=locked.channel,
        latitude=located.latitude if located else None,
        longitude=located.longitude if located else None,
        address=located.address if located else "",
        by=by,
    )
    if department is not None and department != case.department:
        case = transfer_case(case=case, department=department, by=by)
    attach_messages_to_case(case=case, messages=messages)
    book = TemplateBook.for_conversation(locked)
    text = book.text(
        "report.created",
        reference=case.reference,
        category=category.name_in(book.language),
        department=case.department.name_in(book.language),
        due_date=format_date(
            case.due_at.astimezone(locked.council.tz).date(), "long", locale=book.language
        ),
    )
    try:
        with transaction.atomic():
            queue_outbound(conversation=locked, text=text, case=case, author=by)
        told = True
    except OutboundRefused:
        told = False
    _close(locked)
    return Opened(case=case, told=told)


@transaction.atomic
def close_conversation(*, conversation: Conversation, by: Actor) -> Conversation:
    """Take the conversation off the staff's queue and let the bot answer the resident again.

    A new message from the resident puts it back on the queue.
    """
    check_may_answer(conversation=conversation, by=by)
    locked = Conversation.objects.select_for_update(of=("self",)).get(pk=conversation.pk)
    _close(locked)
    locked.refresh_from_db()
    return locked


def _close(conversation: Conversation) -> None:
    dialog.release_handoff(conversation=conversation)
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(closed_at=now, updated_at=now)
    conversation.closed_at = now
    publish_on_commit(
        council_id=conversation.council_id,
        kind="conversation",
        data={"conversation": conversation.pk, "change": "closed"},
    )
