"""A resident's public post to the council (a Mastodon or Bluesky mention) becomes a case.

A public post is not a chat: the dialog's questions (the privacy notice, the category, the
photos) would be asked in front of everyone. The post is a report in itself, as a written
request at the desk would be: it opens a case in the category its words suggest, and the
council answers in the same thread with the reference number and the case's public page.
Direct messages go through the dialog like any other chat.
"""

from __future__ import annotations

import structlog
from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.cases.models import Case, Category
from ventanilla.cases.services import CaseError, open_case
from ventanilla.conversations import publicity
from ventanilla.conversations.classify import suggest_categories
from ventanilla.conversations.models import Conversation, Message
from ventanilla.conversations.services import attach_messages_to_case, queue_outbound

log = structlog.get_logger(__name__)


def answer(*, conversation: Conversation, message: Message) -> Case | None:
    """Open a case from a public post and answer it in its thread; return the case."""
    text = message.text.strip()
    if not text and not message.attachments.exists():
        return None  # a bare mention: nothing to register
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
