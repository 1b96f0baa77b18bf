"""Staff inbox pages: sign-in, queues, a case and its actions, files, live updates, audit.

Every view that shows a case starts from ``Case.objects.visible_to(user)`` (``scope.cases``)
and answers 404 for anything outside it. Actions are plain form POSTs that htmx enhances:
without JavaScript they redirect back to the case; with it they answer the parts of the page
that changed.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case
from ventanilla.cases.services import CaseError
from ventanilla.cases.workflow import IllegalTransition
from ventanilla.channels.policy import OutboundRefused
from ventanilla.conversations import publicity
from ventanilla.conversations.models import Attachment
from ventanilla.core.actors import Actor, actor_of
from ventanilla.inbox import forms as inbox_forms
from ventanilla.inbox import live, residents, selectors, services
from ventanilla.inbox.access import LAST_ACTIVITY, HtmxHttpRequest, is_verified, staff_required
from ventanilla.inbox.selectors import Scope
from ventanilla.portal.models import FormReport
from ventanilla.portal.review import review_of

#: query parameters that select a queue and its filters (kept on links between pages)
QUEUE_PARAMS = (
    "queue",
    "q",
    "status",
    "category",
    "department",
    "channel",
    "date_from",
    "date_to",
    "sort",
)
#: images a browser may show inline; anything else (SVG included) is downloaded
INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})


class LoginView(auth_views.LoginView):
    template_name = "inbox/login.html"
    form_class = inbox_forms.StaffLoginForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and is_verified(request.user):
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        device = getattr(form, "otp_device", None)
        if device is not None:
            django_otp.login(self.request, device)
        self.request.session[LAST_ACTIVITY] = time.time()
        return response


class LogoutView(auth_views.LogoutView):
    next_page = "inbox:login"


def queue_query(params: QueryDict, **changes: str) -> str:
    """Return the query string of a queue (its filters, no cursor), with ``changes``."""
    kept = {key: params.get(key, "") for key in QUEUE_PARAMS}
    kept.update(changes)
    return urlencode({key: value for key, value in kept.items() if value})


# -- queues ---------------------------------------------------------------------------------


@never_cache
@require_GET
@staff_required
def queue(request: HtmxHttpRequest, scope: Scope) -> HttpResponse:
    """Show one queue, filtered, sorted and paginated, with the counts of every queue."""
    queues = selectors.queues_for(scope)
    key = request.GET.get("queue") or selectors.default_queue(scope)
    current = next((q for q in queues if q.key == key), None)
    if current is None:
        raise Http404
    # Read before the cases: an event written while the page renders is then replayed.
    live_after = None if request.htmx else live.latest_event_id()
    form = inbox_forms.QueueFilterForm(request.GET, scope=scope)
    filters = form.filters()
    now = timezone.now()
    cases = selectors.filter_cases(
        selectors.queue_cases(
            scope, key, status=filters.status, now=now, any_status=bool(filters.q)
        ),
        filters,
        scope.council,
    )
    page = selectors.paginate(
        cases,
        filters.sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    unread = residents.unread_case_ids(request.user, page.cases)
    context = {
        "scope": scope,
        "queue": current,
        "counts": selectors.queue_counts(scope, now),
        "form": form,
        "page": page,
        "unread": unread,
        "now": now,
        "queue_query": queue_query(request.GET, queue=key),
        "filters_query": queue_query(request.GET, queue=""),
        "case_url": reverse("inbox:queue") + "cases/",
        "filtered": any(request.GET.get(p) for p in QUEUE_PARAMS if p not in ("queue", "sort")),
    }
    if request.htmx:
        return TemplateResponse(request, "inbox/_queue_update.html", context)
    context["live_after"] = live_after
    return TemplateResponse(request, "inbox/queue.html", context)


# -- one case -------------------------------------------------------------------------------


def case_context(
    request: HtmxHttpRequest, scope: Scope, case: Case, bound: forms.Form | None = None
) -> dict[str, Any]:
    """Return everything the case page shows; ``bound`` replaces the form of its kind."""
    conversation = selectors.reply_conversation(case)
    window = selectors.reply_window(conversation)
    thread, truncated = selectors.thread_of(case)
    form_classes: dict[str, type[inbox_forms.CaseActionForm]] = {
        "reply": inbox_forms.ReplyForm,
        "assign": inbox_forms.AssignForm,
        "transfer": inbox_forms.TransferForm,
        "category": inbox_forms.CategoryForm,
        "status": inbox_forms.StatusForm,
        "priority": inbox_forms.PriorityForm,
        "duplicate": inbox_forms.DuplicateForm,
        "note": inbox_forms.NoteForm,
        # the public record and the place (inbox/publication.py)
        "summary": inbox_forms.SummaryForm,
        "photo": inbox_forms.PhotoForm,
        "withdraw": inbox_forms.WithdrawForm,
        "republish": inbox_forms.RepublishForm,
        "location": inbox_forms.LocationForm,
    }
    context_forms: dict[str, Any] = {}
    if scope.can_act:
        for name, form_class in form_classes.items():
            if bound is not None and isinstance(bound, form_class):
                context_forms[name] = bound
            else:
                initial = {"priority": case.priority} if name == "priority" else None
                context_forms[name] = form_class(case=case, scope=scope, initial=initial)
    # The queue the agent came from: j/k walk it.
    form = inbox_forms.QueueFilterForm(request.GET, scope=scope)
    filters = form.filters()
    key = request.GET.get("queue") or selectors.default_queue(scope)
    if key not in {q.key for q in selectors.queues_for(scope)}:
        key = selectors.default_queue(scope)
    walk = selectors.filter_cases(
        selectors.queue_cases(scope, key, status=filters.status, any_status=bool(filters.q)),
        filters,
        scope.council,
    )
    previous, following = selectors.neighbours(walk, filters.sort, case)
    return {
        "scope": scope,
        "case": case,
        "now": timezone.now(),
        "thread": thread,
        "description_in_thread": selectors.description_repeats_thread(case, thread),
        "thread_truncated": truncated,
        "history": selectors.history_of(case),
        "other_cases": selectors.other_cases_of(scope, case),
        "conversation": conversation,
        "window": window,
        # a case from a public post: replies go to its public thread (inbox/public_threads.py)
        "public_post": publicity.thread_post(conversation) if conversation else None,
        "canned_groups": selectors.canned_groups(scope.council, case) if scope.can_act else [],
        "forms": context_forms,
        "previous_reference": previous,
        "next_reference": following,
        "queue_query": queue_query(request.GET, queue=key),
        "queue_label": selectors.QUEUES[key].label,
        "tiles_url": settings.TILES_URL,
        "publication": review_of(case),
    }


def visible_case(scope: Scope, reference: str) -> Case:
    return get_object_or_404(
        scope.cases.select_related(
            "category", "department", "assignee", "channel", "citizen", "duplicate_of"
        ),
        reference=reference,
    )


@never_cache
@require_GET
@staff_required
def case_detail(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    """Show a case; every opening (not the page's own live refreshes) is logged."""
    live_after = None if request.htmx else live.latest_event_id()
    case = visible_case(scope, reference)
    if not request.GET.get("live"):
        case_services.record_access(case=case, user=scope.user)
    services.mark_seen(user=scope.user, case=case)
    context = case_context(request, scope, case)
    if request.htmx:
        return TemplateResponse(request, "inbox/_case_update.html", context)
    context["live_after"] = live_after
    return TemplateResponse(request, "inbox/case.html", context)


def act(
    request: HtmxHttpRequest,
    scope: Scope,
    reference: str,
    form_class: type[inbox_forms.CaseActionForm],
    perform: Callable[[Case, dict[str, Any], Actor], object],
    done: str,
) -> HttpResponse:
    """Validate ``form_class``, call the service in ``perform``, answer the page.

    A case out of the agent's scope is not found (404); the services decide who may act on
    the cases one sees (``NotAllowed``, 403), asked here before the form is read.
    """
    case = visible_case(scope, reference)
    by = actor_of(request.user)
    case_services.check_may_act(case=case, by=by)
    form = form_class(request.POST, request.FILES, case=case, scope=scope)
    if form.is_valid():
        try:
            perform(case, form.cleaned_data, by)
        except (CaseError, IllegalTransition, OutboundRefused) as error:
            form.add_error(None, str(error))
    if form.is_valid():
        still_visible = scope.cases.filter(pk=case.pk).exists()
        if not still_visible:
            # Transferred (or recategorised) out of this agent's departments.
            messages.success(request, done)
            url = f"{reverse('inbox:queue')}?{queue_query(request.GET)}"
            if request.htmx:
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return HttpResponseRedirect(url, status=303)
        case = visible_case(scope, reference)
        if not request.htmx:
            messages.success(request, done)
            url = reverse("inbox:case", args=[case.reference])
            query = queue_query(request.GET)
            # 303: the browser follows with a GET, and a reload does not post again.
            return HttpResponseRedirect(f"{url}?{query}" if query else url, status=303)
        context = case_context(request, scope, case)
        context["announce"] = done
        context["submitted"] = form_class.prefix_name
        return TemplateResponse(request, "inbox/_case_update.html", context)
    context = case_context(request, scope, case, bound=form)
    context["announce"] = _("The change was not made. See the errors in the form.")
    context["submitted"] = form_class.prefix_name
    if request.htmx:
        return TemplateResponse(request, "inbox/_case_update.html", context, status=422)
    context["live_after"] = live.latest_event_id()
    return TemplateResponse(request, "inbox/case.html", context, status=422)


@require_POST
@staff_required
def case_reply(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.ReplyForm,
        lambda case, data, by: services.reply_to_case(
            case=case,
            by=by,
            text=data["text"],
            upload=data.get("attachment"),
            template=data.get("template"),
        ),
        _("Reply queued for sending."),
    )


@require_POST
@staff_required
def case_assign(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.AssignForm,
        lambda case, data, by: case_services.assign_case(case=case, agent=data["agent"], by=by),
        _("Assignment saved."),
    )


@require_POST
@staff_required
def case_transfer(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.TransferForm,
        lambda case, data, by: case_services.transfer_case(
            case=case, department=data["department"], by=by, comment=data["comment"]
        ),
        _("Case transferred."),
    )


@require_POST
@staff_required
def case_category(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.CategoryForm,
        lambda case, data, by: case_services.change_category(
            case=case, category=data["category"], by=by, comment=data["comment"]
        ),
        _("Category changed; deadlines recomputed."),
    )


@require_POST
@staff_required
def case_status(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.StatusForm,
        lambda case, data, by: case_services.change_status(
            case=case,
            status=data["status"],
            by=by,
            comment=data["comment"],
            resident_message=data["resident_message"],
        ),
        _("Status changed."),
    )


@require_POST
@staff_required
def case_priority(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.PriorityForm,
        lambda case, data, by: case_services.set_priority(
            case=case, priority=data["priority"], by=by
        ),
        _("Priority changed."),
    )


@require_POST
@staff_required
def case_duplicate(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.DuplicateForm,
        lambda case, data, by: case_services.mark_duplicate(
            case=case, of=data["original"], by=by, comment=data["comment"]
        ),
        _("Case merged as a duplicate."),
    )


@require_POST
@staff_required
def case_note(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.NoteForm,
        lambda case, data, by: case_services.add_note(case=case, author=by, text=data["text"]),
        _("Note added."),
    )


# -- files ----------------------------------------------------------------------------------


@require_GET
@staff_required
def attachment(request: HtmxHttpRequest, scope: Scope, pk: int) -> HttpResponseBase:
    """Serve a message's file to staff who may see its case; images inline, the rest saved."""
    item = get_object_or_404(
        Attachment.objects.select_related("message__case").filter(message__case__in=scope.cases),
        pk=pk,
    )
    if not item.file:
        raise Http404
    case = item.message.case
    assert case is not None
    case_services.record_access(case=case, user=scope.user, via="attachment")
    content_type = item.content_type or "application/octet-stream"
    inline = content_type in INLINE_IMAGES and request.GET.get("download") != "1"
    response = FileResponse(
        item.file.open("rb"),
        content_type=content_type,
        as_attachment=not inline,
        filename=item.filename or item.file.name.rsplit("/", 1)[-1],
    )
    return private_file(response)


@require_GET
@staff_required
def form_photo(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponseBase:
    """Serve the photo sent with the portal's report form, to staff who may see the case."""
    report = get_object_or_404(
        FormReport.objects.select_related("case").filter(case__in=scope.cases),
        case__reference=reference,
    )
    if not report.photo:
        raise Http404
    case_services.record_access(case=report.case, user=scope.user, via="attachment")
    return private_file(FileResponse(report.photo.open("rb"), content_type="image/jpeg"))


@require_GET
def outbound_media(request: HtmxHttpRequest, token: str) -> HttpResponseBase:
    """Serve a file an agent sent, to the provider fetching it (signed, expiring URL)."""
    path = services.outbound_media_path(token)
    if path is None or not default_storage.exists(path):
        raise Http404
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    response = FileResponse(
        default_storage.open(path, "rb"),
        content_type=content_type,
        as_attachment=content_type not in INLINE_IMAGES,
        filename=path.rsplit("/", 1)[-1],
    )
    return private_file(response)


def private_file(response: FileResponse) -> FileResponse:
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# -- live updates ---------------------------------------------------------------------------


@require_GET
@staff_required(activity=False)
def live_events(request: HtmxHttpRequest, scope: Scope) -> HttpResponseBase:
    """Stream which visible cases changed (server-sent events); the page then refreshes."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after")
    try:
        after = max(0, int(raw)) if raw else None
    except ValueError:
        after = None

    def visible(item: live.LiveItem) -> bool:
        # A message no case holds, or a conversation's change, is the whole council's news
        # (the conversations queue); the event says nothing but that something changed.
        loose = item.kind in ("message", "conversation") and not item.reference
        return loose or scope.whole_council or item.department_id in scope.department_ids

    response = StreamingHttpResponse(
        live.stream(council_id=scope.council.pk, visible=visible, after=after),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


# -- audit ----------------------------------------------------------------------------------


@never_cache
@require_GET
@staff_required
def access_log(request: HtmxHttpRequest, scope: Scope) -> HttpResponse:
    """Who opened which case, for auditors and administrators."""
    if not scope.can_audit:
        raise PermissionDenied
    form = inbox_forms.AccessLogFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    entries = selectors.access_log(
        scope,
        reference=data.get("reference") or "",
        username=data.get("username") or "",
        before=data.get("before"),
    )
    more = len(entries) == selectors.PAGE_SIZE
    next_query = (
        urlencode(
            {
                "reference": data.get("reference") or "",
                "username": data.get("username") or "",
                "before": entries[-1].pk,
            }
        )
        if entries and more
        else ""
    )
    return TemplateResponse(
        request,
        "inbox/access_log.html",
        {"scope": scope, "form": form, "entries": entries, "next_query": next_query},
    )
