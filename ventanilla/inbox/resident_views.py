"""Inbox pages about residents: conversations that are not a case, and a resident's profile.

The queue of conversations is the council's (hand-off requests first, with their waiting
time); an agent answers the resident, opens a case from the conversation, or closes it.
Actions are plain form POSTs answered with a redirect (303), like the case page without
JavaScript; the queue refreshes itself on live events.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ventanilla.cases.services import CaseError
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations import desk
from ventanilla.conversations.models import Conversation
from ventanilla.core.actors import actor_of
from ventanilla.inbox import forms as inbox_forms
from ventanilla.inbox import live, residents, selectors, services
from ventanilla.inbox.access import staff_required
from ventanilla.inbox.selectors import Scope


@never_cache
@require_GET
@staff_required
def conversations(request: HttpRequest, scope: Scope) -> HttpResponse:
    """List the conversations waiting for staff: hand-off requests first, then the others."""
    live_after = None if getattr(request, "htmx", False) else live.latest_event_id()
    context = {
        "scope": scope,
        "queue": residents.conversation_queue(scope),
        "counts": selectors.queue_counts(scope),
        "now": timezone.now(),
    }
    if getattr(request, "htmx", False):
        return TemplateResponse(request, "inbox/_conversations_update.html", context)
    context["live_after"] = live_after
    return TemplateResponse(request, "inbox/conversations.html", context)


def _conversation(scope: Scope, pk: int) -> Conversation:
    conversation = residents.visible_conversation(scope, pk)
    if conversation is None:
        raise Http404
    return conversation


def _conversation_page(
    request: HttpRequest,
    scope: Scope,
    conversation: Conversation,
    *,
    reply_form: inbox_forms.ConversationReplyForm | None = None,
    case_form: inbox_forms.OpenCaseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "scope": scope,
        "conversation": conversation,
        "citizen": conversation.citizen,
        "thread": residents.conversation_thread(scope, conversation),
        "open_cases": list(
            scope.cases.open()
            .filter(citizen_id=conversation.citizen_id)
            .select_related("category")
            .order_by("-created_at")[:10]
        ),
        "window": selectors.reply_window(conversation),
        "reply_form": reply_form or inbox_forms.ConversationReplyForm(),
        "case_form": case_form or inbox_forms.OpenCaseForm(scope=scope),
        "now": timezone.now(),
        "live_after": live.latest_event_id(),
    }
    return TemplateResponse(request, "inbox/conversation.html", context, status=status)


@never_cache
@require_GET
@staff_required
def conversation_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    conversation = _conversation(scope, pk)
    services.mark_seen(user=request.user, conversation=conversation)
    return _conversation_page(request, scope, conversation)


def _back(conversation: Conversation) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("inbox:conversation", args=[conversation.pk]), status=303)


@require_POST
@staff_required
def conversation_reply(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    conversation = _conversation(scope, pk)
    by = actor_of(request.user)
    desk.check_may_answer(conversation=conversation, by=by)
    form = inbox_forms.ConversationReplyForm(request.POST)
    if form.is_valid():
        try:
            desk.reply_to_conversation(
                conversation=conversation, by=by, text=form.cleaned_data["text"]
            )
        except (CaseError, OutboundRefused) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Answer queued for sending."))
            return _back(conversation)
    return _conversation_page(request, scope, conversation, reply_form=form, status=422)


@require_POST
@staff_required
def conversation_open_case(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    conversation = _conversation(scope, pk)
    by = actor_of(request.user)
    desk.check_may_answer(conversation=conversation, by=by)
    form = inbox_forms.OpenCaseForm(request.POST, scope=scope)
    if form.is_valid():
        try:
            opened = desk.open_case_from_conversation(
                conversation=conversation,
                category=form.cleaned_data["category"],
                department=form.cleaned_data["department"],
                description=form.cleaned_data["description"],
                by=by,
            )
        except CaseError as error:
            form.add_error(None, str(error))
        else:
            if opened.told:
                messages.success(
                    request,
                    _("Case %(reference)s opened; the resident was sent its reference.")
                    % {"reference": opened.case.reference},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Case %(reference)s opened, but the reference could not be sent: "
                        "the channel does not allow a message now."
                    )
                    % {"reference": opened.case.reference},
                )
            if scope.cases.filter(pk=opened.case.pk).exists():
                url = reverse("inbox:case", args=[opened.case.reference])
            else:
                url = reverse("inbox:conversations")
            return HttpResponseRedirect(url, status=303)
    return _conversation_page(request, scope, conversation, case_form=form, status=422)


@require_POST
@staff_required
def conversation_close(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    conversation = _conversation(scope, pk)
    desk.close_conversation(conversation=conversation, by=actor_of(request.user))
    messages.success(request, _("Conversation closed. The bot answers the resident again."))
    return HttpResponseRedirect(reverse("inbox:conversations"), status=303)


# -- the resident's profile -------------------------------------------------------------------


@never_cache
@require_GET
@staff_required
def resident(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """Show who the resident is to the council: identities, consent, their cases and chats."""
    citizen = residents.visible_citizen(scope, pk)
    if citizen is None:
        raise Http404
    return TemplateResponse(
        request,
        "inbox/resident.html",
        {"scope": scope, "profile": residents.profile_of(scope, citizen), "now": timezone.now()},
    )
