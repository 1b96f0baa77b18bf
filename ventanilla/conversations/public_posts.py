"""A resident's public post to the council (a Mastodon or Bluesky mention) becomes a case.

A public post is not a chat: the dialog's questions (the privacy notice, the category, the
photos) would be asked in front of everyone. The post is a report in itself, as a written
request at the desk would be: it opens a case in the category its words suggest, and the
council answers in the same thread with the reference number and the case's public page.
Direct messages go through the dialog like any other chat.

A post that answers a post of a case's thread (the council's answer, or the resident's post)
belongs to that case: a "+1" or "apoyo" counts as a support of its public record (through
``support_counters``, which ``ventanilla.wiring`` fills with the portal's), anything else is
added to the case for staff to read.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog
from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case, Category
from ventanilla.cases.services import CaseError, open_case
from ventanilla.citizens.models import Citizen
from ventanilla.conversations import publicity
from ventanilla.conversations.classify import suggest_categories
from ventanilla.conversations.language import fold
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.services import attach_messages_to_case, queue_outbound

log = structlog.get_logger(__name__)

#: count a resident's support of a case's public record; return whether it was counted
SupportCounter = Callable[[Case, Citizen], bool]
support_counters: list[SupportCounter] = []
#: what a reply says to back a case ("+1", "apoyo", "yo también"...), folded
SUPPORT_WORDS = frozenset(
    fold(word)
    for word in ("+1", "apoyo", "apoyo!", "yo también", "yo tambien", "suport", "jo també")
    + ("me too", "i support this", "support")
)


def add_support_counter(counter: SupportCounter) -> None:
    if counter not in support_counters:
        support_counters.append(counter)


def answer(*, conversation: Conversation, message: Message) -> Case | None:
    """Open a case from a public post and answer it in its thread; return the case."""
    text = message.text.strip()
    if not text and not message.attachments.exists():
        return None  # a bare mention: nothing to register
    thread_case = _case_of_parent(conversation, message)
    if thread_case is not None:
        return _answer_in_case_thread(conversation, message, thread_case, text)
    if is_support(text):
        return None  # "+1" to something that is not a case: nothing to register
    category = _category(conversation, text)
    if category is None:
        log.warning("public_post_without_category", conversation=conversation.pk)
        return None
    try:
        case = open_case(
            category=category,
            description=text or category.name_es,
            citizen=conversation.citizen,
            channel=conversation.channel,
        )
    except CaseError:
        log.warning("public_post_case_refused", conversation=conversation.pk)
        return None
    attach_messages_to_case(case=case, messages=[message.pk])
    queue_outbound(
        conversation=conversation,
        text=registered_text(conversation, case),
        case=case,
        automatic=True,
    )
    log.info("public_post_case_opened", case=case.reference, conversation=conversation.pk)
    return case


def registered_text(conversation: Conversation, case: Case) -> str:
    """The public answer to a post: its reference number and its public page."""
    language = conversation.citizen.language or "es"
    with translation.override(language):
        return _(
            "Thank you. We have registered it as %(reference)s (%(category)s). "
            "Follow it here: %(url)s"
        ) % {
            "reference": case.reference,
            "category": case.category.name_in(language),
            "url": publicity.case_page_url(case.reference),
        }


def _category(conversation: Conversation, text: str) -> Category | None:
    candidates = suggest_categories(council=conversation.council, text=text, limit=1)
    if candidates:
        return candidates[0].category
    return Category.objects.of(conversation.council).active().order_by("name_es").first()


def is_support(text: str) -> bool:
    return fold(text.strip(" .!¡")) in SUPPORT_WORDS


def _case_of_parent(conversation: Conversation, message: Message) -> Case | None:
    """Return the case whose thread the post answers (a post of the council or a resident)."""
    parent = str((publicity.post_of(message) or {}).get("parent_id") or "")
    if not parent:
        return None
    found = (
        Message.objects.filter(
            channel=conversation.channel, provider_message_id=parent, case__isnull=False
        )
        .select_related("case")
        .first()
    )
    return found.case if found is not None else None


def _answer_in_case_thread(
    conversation: Conversation, message: Message, case: Case, text: str
) -> Case:
    if is_support(text) and case.citizen_id != conversation.citizen_id:
        counted = any(counter(case, conversation.citizen) for counter in support_counters)
        if counted:
            queue_outbound(
                conversation=conversation, text=supported_text(conversation, case), automatic=True
            )
        log.info("public_post_support", case=case.reference, counted=counted)
        return case
    attach_messages_to_case(case=case, messages=[message.pk])  # staff read it with the case
    return case


def supported_text(conversation: Conversation, case: Case) -> str:
    with translation.override(conversation.citizen.language or "es"):
        return _("Thank you: your support of %(reference)s counts. %(url)s") % {
            "reference": case.reference,
            "url": publicity.case_page_url(case.reference),
        }
