"""Tell residents what staff did with their cases, in their language, with the reference.

``notify_resident`` reacts to ``cases.reactions.case_changed``, run inside the service's
transaction (see ``ventanilla/wiring.py``): the message row is committed with the change, or
not at all. Only status changes a resident cares about are told ("assigned" is internal;
"closed" follows a "resolved" already told). A resolution also asks the satisfaction question
(``ask_satisfaction``, a reaction of its own, so a failure of one never undoes the other).

These messages are automatic: a resident who opted out (BAJA) gets none. On WhatsApp, once
24 hours have passed since the resident last wrote, only an approved template may be sent:
the channel's ``options["case_update_template"]`` names one taking (reference, status);
without it the update is not sent (and the inbox still shows the case's status).
"""

from __future__ import annotations

import structlog

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.reactions import CaseChanged
from ventanilla.cases.workflow import Status
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations import dialog, publicity
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.services import queue_outbound
from ventanilla.core.actors import Actor

log = structlog.get_logger(__name__)

#: statuses the resident is told about
NOTIFY_STATUSES = frozenset(
    {
        Status.IN_PROGRESS,
        Status.WAITING_RESIDENT,
        Status.RESOLVED,
        Status.REOPENED,
        Status.REJECTED,
        Status.DUPLICATE,
    }
)
#: a status with its own words; the others use "update.status"
#: the news a public post's thread hears (unless its category says otherwise)
PUBLIC_RESOLUTION_STATUSES = frozenset({Status.RESOLVED})
UPDATE_KEYS: dict[str, str] = {
    Status.WAITING_RESIDENT: "update.waiting_resident",
    Status.RESOLVED: "update.resolved",
}
TEMPLATE_OPTION = "case_update_template"


def _resident_conversation(case: Case) -> Conversation | None:
    """Return where to tell the case's resident, or None if they cannot or will not be told."""
    citizen = case.citizen
    if citizen is None or citizen.opted_out:
        return None
    return conversation_for_case(case)


def notify_resident(event: CaseChanged) -> None:
    """Queue the resident's update of a status change they care about.

    Staff's ``resident_message`` goes with the update, whatever the status, as staff's own
    words (also to a resident who opted out of automatic messages); the change's ``comment``
    is internal and never sent. A case the system moved back to "in progress" because the
    resident answered is not news to them. A closed WhatsApp window with no template is a
    normal outcome: logged, nothing sent.
    """
    if event.kind != CaseEvent.Kind.STATUS:
        return
    written = event.resident_message.strip()
    if not written and (event.after not in NOTIFY_STATUSES or resumed_by_reply(event)):
        return
    if written:
        conversation = (
            conversation_for_case(event.case) if event.case.citizen_id is not None else None
        )
    else:
        conversation = _resident_conversation(event.case)
    if conversation is None:
        return
    try:
        tell_status(
            conversation=conversation,
            case=event.case,
            status=event.after,
            message=written,
            author=event.by if written else None,
        )
    except OutboundRefused:
        log.info("case_update_not_sent_window_closed", reference=event.case.reference)


def resumed_by_reply(event: CaseChanged) -> bool:
    """Return whether the system moved the case on because the resident answered."""
    return (
        event.by is None
        and event.before == Status.WAITING_RESIDENT
        and event.after == Status.IN_PROGRESS
    )


def ask_satisfaction(event: CaseChanged) -> None:
    """Ask the resident to rate a resolved case (after ``notify_resident`` told them)."""
    case = event.case
    if event.kind != CaseEvent.Kind.STATUS or event.after != Status.RESOLVED:
        return
    if case.satisfaction is not None:
        return
    conversation = _resident_conversation(case)
    if conversation is None:
        return
    try:
        dialog.offer_survey(conversation=conversation, case=case)
    except OutboundRefused:
        log.info("survey_not_sent_window_closed", reference=case.reference)


def conversation_for_case(case: Case) -> Conversation | None:
    """Return where to tell the case's resident: the case's channel, else their latest chat."""
    if case.citizen_id is None:
        return None
    conversations = Conversation.objects.filter(citizen_id=case.citizen_id).select_related(
        "council", "citizen", "channel"
    )
    if case.channel_id is not None:
        same = conversations.filter(channel_id=case.channel_id).first()
        if same is not None:
            return same
    return conversations.order_by("-last_inbound_at", "-pk").first()


def tell_status(
    *,
    conversation: Conversation,
    case: Case,
    status: str,
    message: str = "",
    author: Actor = None,
) -> Message:
    """Queue the message telling the resident that ``case`` is now in ``status``.

    ``message``, staff's words for the resident, follows the news; with it the message is
    staff's (``author``), not an automatic one.
    """
    book = TemplateBook.for_conversation(conversation)
    label = book.text(f"status.{status}")
    text = book.text(
        UPDATE_KEYS.get(status, "update.status"), reference=case.reference, status=label
    )
    if message.strip():
        text += "\n" + book.text("update.comment", comment=message.strip())
    automatic = not message.strip()
    private = False
    if status in PUBLIC_RESOLUTION_STATUSES and publicity.is_public(
        publicity.thread_post(conversation)
    ):
        # a public post's resolution is said in its thread, with the public record's page
        if case.category.resolution_in_public_thread:
            text += "\n" + publicity.case_page_url(case.reference)
        else:
            private = True
    try:
        return queue_outbound(
            conversation=conversation,
            text=text,
            case=case,
            automatic=automatic,
            author=author,
            private=private,
        )
    except OutboundRefused:
        name = (conversation.channel.options or {}).get(TEMPLATE_OPTION)
        if not name:
            raise
        template = {"name": name, "language": book.language, "parameters": [case.reference, label]}
        return queue_outbound(
            conversation=conversation,
            text=text,
            case=case,
            automatic=automatic,
            author=author,
            template=template,
        )
