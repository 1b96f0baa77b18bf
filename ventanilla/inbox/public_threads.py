"""Replies that anyone can read: the preview of what a public thread will show.

A case that began as a public post (Mastodon, Bluesky) is answered in the post's thread.
Before sending, the reply panel shows whether the reply will be public and the exact text
that will be published after the redaction; a reply the redaction would change goes as a
private message instead, and the panel says so (``conversations.publicity``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ventanilla.conversations import publicity
from ventanilla.inbox import selectors
from ventanilla.inbox.access import HtmxHttpRequest, staff_required
from ventanilla.inbox.selectors import Scope
from ventanilla.inbox.views import visible_case


@never_cache
@require_POST
@staff_required
def reply_preview(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    """Answer the preview of the reply being written (htmx, as the agent types)."""
    case = visible_case(scope, reference)
    conversation = selectors.reply_conversation(case)
    text = str(request.POST.get("text") or "").strip()
    post = publicity.thread_post(conversation) if conversation is not None else None
    context: dict[str, Any] = {"post": post, "text": text, "check": None, "notice": ""}
    context["mention"] = ""
    if conversation is not None and publicity.is_public(post) and text:
        context["check"] = publicity.check(conversation=conversation, text=text)
        context["notice"] = publicity.moved_private_notice(conversation)
        context["mention"] = "@" + str((post or {}).get("author") or "")
    return TemplateResponse(request, "inbox/_public_preview.html", context)
