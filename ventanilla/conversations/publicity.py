"""Public threads: which replies anyone can read, and the check every public reply passes.

A conversation on a public network (Mastodon, Bluesky) answers the resident's latest post in
its thread, with the post's visibility. A public reply never carries personal data: its text
goes through ``privacy``'s redaction with the resident's names, and if the redaction would
change it, it is not published. It goes to the resident as a private message instead, and the
thread is told so, without details (``queue_outbound`` does both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.cases.models import Category, Department
from ventanilla.channels.adapters import ADAPTERS
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.privacy.redaction import redact

#: visibilities of a post (and of its reply) that anyone may read
PUBLIC_VISIBILITIES = frozenset({"public", "unlisted"})
#: how far back a conversation's inbound messages are searched for its thread
RECENT = 20
#: the providers whose residents write posts (their adapters poll: Mastodon, Bluesky)
POST_PROVIDERS = frozenset(code for code, cls in ADAPTERS.items() if hasattr(cls, "poll"))


@dataclass(frozen=True)
class PublicCheck:
    """What a reply would be in its thread."""

    public: bool  # the reply goes to a public thread
    text: str  # the text as staff wrote it
    published: str  # what would be published (the redacted text), if public
    refused: bool  # public, but the redaction would change it: it goes privately instead

    @property
    def goes_public(self) -> bool:
        return self.public and not self.refused


def post_of(message: Message) -> dict[str, Any] | None:
    """Return the public-network post a message carries (``PostRef`` fields), if any."""
    post = (message.payload or {}).get("post")
    return post if isinstance(post, dict) and post.get("id") else None


def thread_post(conversation: Conversation) -> dict[str, Any] | None:
    """Return the resident's latest post in the conversation, which replies answer."""
    if conversation.channel.provider not in POST_PROVIDERS:
        return None  # a chat: no query
    recent = Message.objects.filter(conversation=conversation, direction=Direction.IN).order_by(
        "-created_at", "-pk"
    )[:RECENT]
    for message in recent:
        post = post_of(message)
        if post is not None:
            return post
    return None


def is_public(post: dict[str, Any] | None) -> bool:
    return post is not None and post.get("visibility") in PUBLIC_VISIBILITIES


def check(*, conversation: Conversation, text: str, private: bool = False) -> PublicCheck:
    """Say whether ``text`` would be published in the conversation's thread, and how."""
    post = None if private else thread_post(conversation)
    if not is_public(post):
        return PublicCheck(public=False, text=text, published="", refused=False)
    published = redact(text, names=resident_names(conversation), keep=council_words(conversation))
    return PublicCheck(public=True, text=text, published=published, refused=published != text)


def resident_names(conversation: Conversation) -> list[str]:
    citizen = conversation.citizen
    names = [citizen.name] if citizen.name else []
    names += [i.display for i in citizen.identities.all() if i.display]
    return names


def council_words(conversation: Conversation) -> list[str]:
    """Names a reply may say although they look like people's (departments, categories)."""
    council = conversation.council
    words = [council.name]
    words += list(Department.objects.filter(council=council).values_list("name_es", flat=True))
    words += list(Category.objects.filter(council=council).values_list("name_es", flat=True))
    return [word for word in words if word]


def moved_private_notice(conversation: Conversation) -> str:
    """The public word that the answer went privately, in the resident's language."""
    with translation.override(conversation.citizen.language or "es"):
        return _("We have answered you in a private message, so as not to publish personal data.")


def case_page_url(reference: str) -> str:
    """Return the public page of a case (the portal's record)."""
    return settings.PUBLIC_URL + reverse("portal:record", args=[reference])


def case_post_url(case_id: int) -> str:
    """Return the address of the public post a case began as ("" if it did not)."""
    first = (
        Message.objects.filter(case_id=case_id, direction=Direction.IN)
        .order_by("created_at", "pk")
        .first()
    )
    post = post_of(first) if first is not None else None
    return str(post.get("url") or "") if is_public(post) and post is not None else ""
