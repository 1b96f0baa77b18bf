"""Residents' data protection requests in the inbox: the queue, one request, its actions.

Only supervisors and administrators see these pages (``privacy.services`` checks again).
Erasure takes two people: one asks for it, another approves it.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.channels.models import Channel
from ventanilla.core.actors import actor_of
from ventanilla.inbox.access import staff_required
from ventanilla.inbox.selectors import Scope
from ventanilla.privacy import documents, processing, services
from ventanilla.privacy.models import RightsRequest


class NewRequestForm(forms.Form):
    """A request a resident made by other means (at the desk, by post, by e-mail)."""

    urn = forms.CharField(
        label=gettext_lazy("Resident's address"),
        max_length=255,
        help_text=gettext_lazy("As the inbox shows it, e.g. whatsapp:34600111222."),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Request"), choices=RightsRequest.Kind.choices)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for refusal"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _check(request: HttpRequest, scope: Scope) -> None:
    if not services.may_handle(actor_of(request.user), scope.council):
        raise PermissionDenied


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def rights_requests(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The queue of requests, pending first by deadline, and a form to add one."""
    _check(request, scope)
    form = NewRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, _new = services.receive_request(
                council=scope.council,
                urn=form.cleaned_data["urn"],
                kind=form.cleaned_data["kind"],
                via=RightsRequest.Via.STAFF,
                by=actor_of(request.user),
            )
        except services.RightsError as error:
            form.add_error("urn", str(error))
        else:
            return redirect("inbox:rights_request", pk=created.pk)
    queue = RightsRequest.objects.of(scope.council).select_related("requested_by", "approved_by")
    return TemplateResponse(
        request,
        "inbox/rights_requests.html",
        {
            "scope": scope,
            "form": form,
            "pending": list(queue.pending()),
            "done": list(queue.exclude(pk__in=queue.pending()).order_by("-done_at")[:50]),
        },
        status=422 if form.errors else 200,
    )


@never_cache
@staff_required
def rights_request(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """One request: who asked, its deadline, its audit, and what may be done next."""
    _check(request, scope)
    item = get_object_or_404(RightsRequest.objects.of(scope.council), pk=pk)
    return TemplateResponse(
        request,
        "inbox/rights_request.html",
        {
            "scope": scope,
            "item": item,
            "audit": item.audit.select_related("actor"),
            "refuse_form": RefuseForm(),
            "asked_by_me": item.requested_by_id == request.user.pk,
        },
    )


@require_POST
@staff_required
def rights_export(request: HttpRequest, scope: Scope, pk: int, fmt: str) -> HttpResponse:
    """Download everything held about the resident, as JSON or PDF (audited)."""
    _check(request, scope)
    if fmt not in {"json", "pdf"}:
        raise Http404
    item = get_object_or_404(RightsRequest.objects.of(scope.council), pk=pk)
    try:
        data = services.export_data(request=item, by=actor_of(request.user))
    except services.RightsError as error:
        messages.error(request, str(error))
        return redirect("inbox:rights_request", pk=item.pk)
    if fmt == "pdf":
        body, content_type = documents.as_pdf(data), "application/pdf"
    else:
        body, content_type = documents.as_json(data), "application/json"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="resident-data-{item.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required
def rights_act(request: HttpRequest, scope: Scope, pk: int, action: str) -> HttpResponse:
    """Ask for an erasure, approve one (another person's), or refuse a request."""
    _check(request, scope)
    item = get_object_or_404(RightsRequest.objects.of(scope.council), pk=pk)
    by = actor_of(request.user)
    try:
        if action == "ask":
            services.ask_erasure(request=item, by=by)
            messages.success(request, _("Erasure asked for. Another person must approve it."))
        elif action == "approve":
            services.approve_erasure(request=item, by=by)
            messages.success(request, _("The resident's data were erased."))
        elif action == "refuse":
            form = RefuseForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            services.refuse(request=item, by=by, reason=reason)
            messages.success(request, _("Request refused."))
        else:
            raise PermissionDenied
    except services.RightsError as error:
        messages.error(request, str(error))
    return redirect("inbox:rights_request", pk=item.pk)


@never_cache
@staff_required
def processing_record(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The record of processing activities, for whole-council staff (supervisors, auditors)."""
    if not scope.whole_council:
        raise PermissionDenied
    language = request.GET.get("lang", "")
    if language not in scope.council.language_codes:
        language = (get_language() or "es")[:2]
    html = processing.render_record(
        scope.council,
        providers=Channel.objects.of(scope.council).active().provider_names(),
        language=language,
    )
    return TemplateResponse(
        request,
        "inbox/processing_record.html",
        {"scope": scope, "record_html": mark_safe(html), "language": language},  # noqa: S308
    )
