"""Inbox pages for the public record and the place of a case.

On the case page: approve the proposed summary (as is, edited, or none), publish or take down
each photo, withdraw with a reason, publish again; set the case's place from the map or the
street directory. A "Pending publication" page lists the summaries staff have yet to decide
on, with bulk approval. Every change is a service of ``portal`` or ``cases`` (they check who
may act and write the history); these views only read forms and answer pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, LocationSource
from ventanilla.cases.services import CaseError
from ventanilla.core.actors import Actor, actor_of
from ventanilla.inbox import forms as inbox_forms
from ventanilla.inbox.access import HtmxHttpRequest, staff_required
from ventanilla.inbox.selectors import Scope
from ventanilla.inbox.views import act
from ventanilla.portal import services as portal_services
from ventanilla.portal.review import pending_records

#: the most cases the pending publication page lists at once
PENDING_PAGE = 100

Perform = Callable[[Case, dict[str, Any], Actor], object]


def publishing(perform: Perform) -> Perform:
    """Report a refused publication change in the form, like any refused case change."""

    def run(case: Case, data: dict[str, Any], by: Actor) -> object:
        try:
            return perform(case, data, by)
        except portal_services.PublicationError as error:
            raise CaseError(str(error)) from error

    return run


def _summary(case: Case, data: dict[str, Any], by: Actor) -> object:
    decision = data["decision"]
    if decision == inbox_forms.SummaryForm.PRIVATE:
        return portal_services.keep_summary_private(case=case, by=by)
    if decision == inbox_forms.SummaryForm.EDITED:
        return portal_services.update_public_summary(case=case, text=data["text"], by=by)
    return portal_services.approve_summary_draft(case=case, by=by)


def _photo(case: Case, data: dict[str, Any], by: Actor) -> object:
    attachment = data["attachment"]
    if data["decision"] == inbox_forms.PhotoForm.PUBLISH:
        return portal_services.approve_photo(
            attachment=attachment, by=by, alt_text=data.get("alt_text") or ""
        )
    photo = getattr(attachment, "public_photo", None)
    if photo is None:
        raise CaseError(_("This photo is not published."))
    return portal_services.remove_photo(photo=photo, by=by)


@require_POST
@staff_required
def case_summary(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.SummaryForm,
        publishing(_summary),
        _("Public summary saved."),
    )


@require_POST
@staff_required
def case_photo(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request, scope, reference, inbox_forms.PhotoForm, publishing(_photo), _("Photo saved.")
    )


@require_POST
@staff_required
def case_withdraw(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.WithdrawForm,
        publishing(
            lambda case, data, by: portal_services.withdraw_case(
                case=case, reason=data["reason"], by=by
            )
        ),
        _("Case withdrawn from the public record."),
    )


@require_POST
@staff_required
def case_republish(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.RepublishForm,
        publishing(lambda case, data, by: portal_services.publish_case(case=case, by=by)),
        _("Case published again."),
    )


@require_POST
@staff_required
def case_location(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponse:
    return act(
        request,
        scope,
        reference,
        inbox_forms.LocationForm,
        lambda case, data, by: case_services.set_location(
            case=case,
            latitude=data["latitude"],
            longitude=data["longitude"],
            address=data.get("address") or "",
            by=by,
            source=LocationSource(data["source"]),
        ),
        _("Location saved."),
    )


# -- the pending publication queue ----------------------------------------------------------


@never_cache
@require_GET
@staff_required
def pending(request: HtmxHttpRequest, scope: Scope) -> HttpResponse:
    """List the public records whose summary nobody has approved or kept private yet."""
    records = pending_records(scope.cases)
    return TemplateResponse(
        request,
        "inbox/publication_queue.html",
        {
            "scope": scope,
            "count": records.count(),
            "records": list(records[:PENDING_PAGE]),
        },
    )


@require_POST
@staff_required
def approve_pending(request: HtmxHttpRequest, scope: Scope) -> HttpResponse:
    """Approve the proposed summaries of the cases ticked on the pending publication page."""
    if not scope.can_act:
        raise PermissionDenied
    records = pending_records(scope.cases)
    references = list(records.values_list("reference", flat=True)[: PENDING_PAGE * 10])
    form = inbox_forms.BulkApproveForm(request.POST, references=references)
    by = actor_of(request.user)
    approved, refused = 0, []
    if form.is_valid():
        for case in scope.cases.filter(reference__in=form.cleaned_data["references"]):
            try:
                case_services.check_may_act(case=case, by=by)
                portal_services.approve_summary_draft(case=case, by=by)
            except (portal_services.PublicationError, PermissionDenied) as error:
                refused.append(f"{case.reference}: {error}")
            else:
                approved += 1
    else:
        refused.append(_("Tick the cases whose proposed summary you approve."))
    if approved:
        messages.success(
            request,
            ngettext("%(count)d summary approved.", "%(count)d summaries approved.", approved)
            % {"count": approved},
        )
    for problem in refused:
        messages.error(request, problem)
    return HttpResponseRedirect(reverse("inbox:publication"), status=303)
