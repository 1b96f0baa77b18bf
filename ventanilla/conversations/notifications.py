"""Tell residents what staff did with their cases, in their language, with the reference.

``notify_resident`` listens to ``cases.signals.case_changed``, which is sent inside the
service's transaction: the message row is committed with the change, or not at all. Only
status changes a resident cares about are told ("assigned" is internal; "closed" follows a
"resolved" already told). A resolution also asks the satisfaction question.

These messages are automatic: a resident who opted out (BAJA) gets none. On WhatsApp, once
24 hours have passed since the resident last wrote, only an approved template may be sent:
the channel's ``options["case_update_template"]`` names one taking (reference, status);
without it the update is not sent (and the inbox still shows the case's status).
"""

from __future__ import annotations

from typing import Any

import structlog
from django.db import transaction

from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.workflow import Status
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations import dialog
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.services import queue_outbound

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
UPDATE_KEYS = {
    Status.WAITING_RESIDENT: "update.waiting_resident",
    Status.RESOLVED: "update.resolved",
}
TEMPLATE_OPTION = "case_update_template"


def notify_resident(
    sender: Any,
    *,
    case: Case,
    kind: str,
    to_value: Any = None,
    comment: str = "",
    **kwargs: Any,
) -> None:
    """Receive ``case_changed``: queue the resident's update (and the survey on resolution).

    A failure here is logged and never undoes the staff's change.
    """
    if kind != CaseEvent.Kind.STATUS or to_value not in NOTIFY_STATUSES:
        return
    citizen = case.citizen
    if citizen is None or citizen.opted_out:
        return
    conversation = conversation_for_case(case)
    if conversation is None:
        return
    if not _safely(
        tell_status, conversation=conversation, case=case, status=str(to_value), comment=comment
    ):
        return
    if to_value == Status.RESOLVED and case.satisfaction is None:
        _safely(dialog.offer_survey, conversation=conversation, case=case)


def _safely(action: Any, **kwargs: Any) -> bool:
    """Run ``action`` in a savepoint; log and swallow its failure. Return whether it ran."""
    try:
        with transaction.atomic():
            action(**kwargs)
    except OutboundRefused:
        log.info("case_update_not_sent_window_closed", action=action.__name__)
        return False
    except Exception:
        log.exception("case_update_failed", action=action.__name__)
        return False
    return True


def conversation_for_case(case: Case) -> Conversation | None:
    """Return where to tell the case's resident: the case's channel, else their latest chat."""
    conversations = Conversation.objects.filter(citizen_id=case.citizen_id).select_related(
        "council", "citizen", "channel"
    )
    if case.channel_id is not None:
        same = conversations.filter(channel_id=case.channel_id).first()
        if same is not None:
            return same
    return conversations.order_by("-last_inbound_at", "-pk").first()


def tell_status(*, conversation: Conversation, case: Case, status: str, comment: str) -> Message:
    """Queue the message telling the resident that ``case`` is now in ``status``."""
    book = TemplateBook(conversation.council, conversation.citizen.language)
    label = book.text(f"status.{status}")
    text = book.text(
        UPDATE_KEYS.get(status, "update.status"), reference=case.reference, status=label
    )
    if comment.strip():
        text += "\n" + book.text("update.comment", comment=comment.strip())
    try:
        return queue_outbound(conversation=conversation, text=text, case=case, automatic=True)
    except OutboundRefused:
        name = (conversation.channel.options or {}).get(TEMPLATE_OPTION)
        if not name:
            raise
        template = {"name": name, "language": book.language, "parameters": [case.reference, label]}
        return queue_outbound(
            conversation=conversation, text=text, case=case, automatic=True, template=template
        )
