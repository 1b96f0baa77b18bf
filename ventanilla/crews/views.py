"""Staff pages of crews: crews and linked phones, work orders from a case, internal messages.

Every page is for signed-in, verified staff (``inbox.access.staff_required``); cases are
looked up in the staff member's scope and answer 404 outside it. Crews, codes for crews and
internal messages are for supervisors and administrators.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.cases.access import roles_of
from ventanilla.cases.models import Role
from ventanilla.cases.services import NotAllowed
from ventanilla.core.actors import actor_of
from ventanilla.crews import services
from ventanilla.crews.forms import InternalMessageForm, PreferenceForm, WorkOrderForm
from ventanilla.crews.models import (
    ClosureEvidence,
    Crew,
    InternalMessage,
    NotificationPreference,
    StaffIdentity,
    WorkOrder,
)
from ventanilla.inbox.access import HtmxHttpRequest, staff_required
from ventanilla.inbox.selectors import Scope
from ventanilla.inbox.views import private_file

SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def supervises(scope: Scope) -> bool:
    return bool(roles_of(scope.user) & SUPERVISING)


@never_cache
@require_GET
@staff_required
def crews(request: HtmxHttpRequest, scope: Scope) -> HttpResponseBase:
    """The council's crews, their phones and open work orders; my phones and notifications."""
    rows = (
        Crew.objects.filter(council=scope.council)
        .select_related("department", "supervisor")
        .annotate(
            phones=Count("contacts", distinct=True),
            open_orders=Count(
                "work_orders",
                filter=Q(work_orders__state__in=(WorkOrder.State.SENT, WorkOrder.State.ON_THE_WAY)),
                distinct=True,
            ),
        )
        .order_by("name")
    )
    preference = NotificationPreference.objects.filter(user=scope.user).first()
    initial = (
        {
            "via": preference.via,
            "events": preference.events,
            "quiet_from": preference.quiet_from,
            "quiet_until": preference.quiet_until,
        }
        if preference
        else {"via": NotificationPreference.Via.NONE}
    )
    context = {
        "scope": scope,
        "council": scope.council,
        "crews": rows,
        "supervises": supervises(scope),
        "my_phones": StaffIdentity.objects.filter(user=scope.user).select_related("channel"),
        "preference_form": PreferenceForm(initial=initial),
        "code": request.session.pop("crews_link_code", None),
    }
    return TemplateResponse(request, "crews/crews.html", context)


@require_POST
@staff_required
def link_code(request: HtmxHttpRequest, scope: Scope) -> HttpResponseBase:
    """Show a one-time code that links the phone it is sent from (to me, or to a crew)."""
    crew = None
    if request.POST.get("crew"):
        if not supervises(scope):
            raise PermissionDenied
        crew = get_object_or_404(Crew, pk=request.POST["crew"], council=scope.council)
    code = services.create_link_code(
        council=scope.council,
        user=None if crew else scope.user,
        crew=crew,
        by=actor_of(request.user),
    )
    request.session["crews_link_code"] = {
        "code": code.code,
        "owner": crew.name if crew else scope.user.get_username(),
    }
    return redirect("crews:crews")


@require_POST
@staff_required
def unlink(request: HtmxHttpRequest, scope: Scope, pk: int) -> HttpResponseBase:
    identity = get_object_or_404(StaffIdentity, pk=pk, council=scope.council)
    if identity.user_id != scope.user.pk and not supervises(scope):
        raise PermissionDenied
    services.unlink_identity(identity=identity)
    messages.success(request, _("The phone is no longer linked."))
    return redirect("crews:crews")


@require_POST
@staff_required
def preferences(request: HtmxHttpRequest, scope: Scope) -> HttpResponseBase:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        services.set_preference(user=scope.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
    else:
        messages.error(request, _("Your notification settings could not be saved."))
    return redirect("crews:crews")


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def work_order(request: HtmxHttpRequest, scope: Scope, reference: str) -> HttpResponseBase:
    """Send a case to a crew; see its work orders and the closure evidence they brought."""
    case = get_object_or_404(scope.cases.select_related("category"), reference=reference)
    form = WorkOrderForm(request.POST or None, council=scope.council)
    if request.method == "POST":
        if not scope.can_act:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.send_work_order(
                    case=case,
                    crew=form.cleaned_data["crew"],
                    by=actor_of(request.user),
                    note=form.cleaned_data["note"],
                    due_at=form.cleaned_data["due_at"],
                )
            except NotAllowed as error:
                raise PermissionDenied from error
            except services.CrewError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The work order was sent."))
                return redirect("crews:work_order", reference=case.reference)
    context = {
        "scope": scope,
        "council": scope.council,
        "case": case,
        "form": form,
        "orders": case.work_orders.select_related("crew").order_by("-created_at"),
        "evidence": case.evidence.select_related("work_order__crew"),
    }
    return TemplateResponse(request, "crews/work_order.html", context)


@require_POST
@staff_required
def evidence_publication(request: HtmxHttpRequest, scope: Scope, pk: int) -> HttpResponseBase:
    """Approve (or withdraw) a closure photo for publication."""
    evidence = get_object_or_404(ClosureEvidence, pk=pk, case__in=scope.cases)
    if not scope.can_act:
        raise PermissionDenied
    services.set_evidence_publication(evidence=evidence, public=request.POST.get("public") == "1")
    return redirect("crews:work_order", reference=evidence.case.reference)


@require_GET
@staff_required
def evidence_file(request: HtmxHttpRequest, scope: Scope, pk: int) -> HttpResponseBase:
    evidence = get_object_or_404(ClosureEvidence, pk=pk, case__in=scope.cases)
    if not evidence.file:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), content_type=evidence.content_type)
    return private_file(response)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def internal_messages(request: HtmxHttpRequest, scope: Scope) -> HttpResponseBase:
    """A supervisor's messages to a department or a crew, with how many were read."""
    if not supervises(scope):
        raise PermissionDenied
    form = InternalMessageForm(request.POST or None, council=scope.council)
    if request.method == "POST" and form.is_valid():
        services.send_internal_message(
            council=scope.council,
            author=actor_of(request.user),
            text=form.cleaned_data["text"],
            department=form.cleaned_data["department"],
            crew=form.cleaned_data["crew"],
        )
        messages.success(request, _("The message was sent."))
        return redirect("crews:messages")
    sent = (
        InternalMessage.objects.filter(council=scope.council)
        .select_related("author", "department", "crew")
        .annotate(
            recipients=Count("deliveries"),
            read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
        )[:50]
    )
    context = {"scope": scope, "council": scope.council, "form": form, "sent": sent}
    return TemplateResponse(request, "crews/messages.html", context)
