"""Staff pages of alerts (supervisors): write, approve, send, follow a broadcast; its report."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ventanilla.broadcasts import services
from ventanilla.broadcasts.access import broadcasting_council
from ventanilla.broadcasts.costs import by_council, cost_report, csv_rows
from ventanilla.broadcasts.estimate import plan
from ventanilla.broadcasts.feed import photo_response
from ventanilla.broadcasts.forms import BroadcastForm
from ventanilla.broadcasts.models import Alert, AlertStatus, Broadcast, Recipient, Status, Topic
from ventanilla.broadcasts.selectors import progress
from ventanilla.broadcasts.services import anonymous_text
from ventanilla.channels.models import Channel, Provider
from ventanilla.channels.segments import count_segments
from ventanilla.core.models import Council
from ventanilla.inbox.access import is_verified, staff_required
from ventanilla.inbox.selectors import Scope, scope_for
from ventanilla.insights.models import District

PAGE = 50


def _council(scope: Scope) -> Council:
    council = broadcasting_council(scope.user)
    if council is None:
        raise PermissionDenied
    return council


def _broadcast(scope: Scope, pk: int) -> Broadcast:
    return get_object_or_404(
        Broadcast.objects.select_related("topic", "council", "created_by", "approved_by"),
        council=_council(scope),
        pk=pk,
    )


@never_cache
@require_GET
@staff_required
def broadcast_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    council = _council(scope)
    rows = Broadcast.objects.filter(council=council).select_related("topic")[:PAGE]
    return TemplateResponse(
        request, "broadcasts/list.html", {"scope": scope, "council": council, "broadcasts": rows}
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def broadcast_new(request: HttpRequest, scope: Scope) -> HttpResponse:
    council = _council(scope)
    form = BroadcastForm(request.POST or None, council=council)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.create_broadcast(
                topic=form.cleaned_data["topic"],
                texts=form.texts(),
                by=request.user,
                channels=list(form.cleaned_data["channels"]),
                template_name=form.cleaned_data["whatsapp_template"],
                template_variables=form.variables(),
                scheduled_for=form.cleaned_data["scheduled_for"],
            )
        except services.BroadcastError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("broadcasts:detail", pk=row.pk)
    return TemplateResponse(
        request, "broadcasts/new.html", {"scope": scope, "council": council, "form": form}
    )


def _previews(row: Broadcast) -> list[dict[str, Any]]:
    """What each channel's subscribers read: the text (SMS: its segments) or the template."""
    channels = Channel.objects.filter(council=row.council, active=True)
    ids = list(row.channels.values_list("pk", flat=True))
    if ids:
        channels = channels.filter(pk__in=ids)
    previews = []
    for channel in channels:
        for language in row.council.language_codes:
            text = row.text_for(language)
            segments = count_segments(text) if channel.provider == Provider.TWILIO else None
            previews.append(
                {
                    "channel": channel,
                    "language": language,
                    "text": text,
                    "segments": segments,
                    "template": row.template_name if channel.provider == Provider.WHATSAPP else "",
                }
            )
    return previews


@never_cache
@require_GET
@staff_required
def broadcast_detail(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    row = _broadcast(scope, pk)
    context: dict[str, Any] = {
        "scope": scope,
        "council": row.council,
        "broadcast": row,
        "progress": progress(row),
        "previews": _previews(row),
        "may_approve": row.status == Status.DRAFT and row.created_by_id != request.user.pk,
        "channels": {c.pk: c for c in Channel.objects.filter(council=row.council)},
    }
    if row.status in (Status.DRAFT, Status.APPROVED, Status.SCHEDULED):
        context["plan"] = plan(row, services.recipients_query(row))
    return TemplateResponse(request, "broadcasts/detail.html", context)


@never_cache
@require_GET
@staff_required(activity=False)
def broadcast_progress(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The progress panel alone, polled by the page (htmx) while the broadcast goes out."""
    row = _broadcast(scope, pk)
    channels = {c.pk: c for c in Channel.objects.filter(council=row.council)}
    return TemplateResponse(
        request,
        "broadcasts/_progress.html",
        {"broadcast": row, "progress": progress(row), "channels": channels},
    )


def _action(name: str, action: Callable[..., Broadcast], done: str) -> Callable[..., HttpResponse]:
    @require_POST
    @staff_required
    def view(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
        row = _broadcast(scope, pk)
        try:
            if name == "approve":
                services.approve(broadcast=row, by=request.user)
            else:
                action(broadcast=row)
        except services.BroadcastError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, done)
        return redirect("broadcasts:detail", pk=row.pk)

    view.__name__ = f"broadcast_{name}"
    return view


broadcast_approve = _action("approve", services.approve, _("Approved."))
broadcast_send = _action("send", services.send, _("Sending."))
broadcast_pause = _action("pause", services.pause, _("Paused."))
broadcast_resume = _action("resume", services.resume, _("Sending again."))
broadcast_cancel = _action("cancel", services.cancel, _("Cancelled."))


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
@staff_required
def broadcast_report(request: HttpRequest, scope: Scope, pk: int) -> StreamingHttpResponse:
    """The delivery report: one line per message, by channel, without residents' addresses."""
    row = _broadcast(scope, pk)
    writer = csv.writer(_Echo())
    rows = (
        Recipient.objects.filter(broadcast=row)
        .order_by("pk")
        .values_list(
            "message_id",
            "channel__name",
            "template",
            "message__status",
            "message__sent_at",
            "message__delivered_at",
            "message__read_at",
            "message__error_code",
        )
    )

    def lines() -> Any:
        yield writer.writerow(
            [
                "message",
                "channel",
                "template",
                "status",
                "sent_at",
                "delivered_at",
                "read_at",
                "error_code",
            ]  # fmt: skip
        )
        for values in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)
                    for v in values
                ]  # fmt: skip
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="broadcast-{row.pk}.csv"'
    return response


# -- the neighbourhood relay's moderation queue -------------------------------------------


@never_cache
@require_GET
@staff_required
def relay_queue(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Residents' AVISOs waiting for an operator, oldest first, with what to relay."""
    council = _council(scope)
    now = timezone.now()
    pending = Alert.objects.filter(
        council=council, status=AlertStatus.PENDING, expires_at__gt=now
    ).order_by("created_at")[:PAGE]
    return TemplateResponse(
        request,
        "broadcasts/relay.html",
        {
            "scope": scope,
            "council": council,
            "alerts": [(alert, anonymous_text(alert, alert.text)) for alert in pending],
            "topics": Topic.objects.filter(council=council, active=True),
            "districts": District.objects.filter(council=council),
        },
    )


@require_POST
@staff_required
def relay_decide(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    council = _council(scope)
    alert = get_object_or_404(Alert, council=council, pk=pk)
    try:
        if request.POST.get("decision") == "reject":
            services.reject_alert(alert=alert, by=request.user)
            messages.success(request, _("Rejected; the sender is told."))
        else:
            topic = get_object_or_404(Topic, council=council, pk=request.POST.get("topic") or 0)
            district_id = request.POST.get("district") or ""
            district = (
                get_object_or_404(District, council=council, pk=district_id)
                if district_id.isdigit()
                else None
            )
            hours = request.POST.get("hours") or ""
            expires_at = (
                timezone.now() + dt.timedelta(hours=min(int(hours), 24 * 14))
                if hours.isdigit() and int(hours) > 0
                else None
            )
            services.relay_alert(
                alert=alert,
                by=request.user,
                text=request.POST.get("text") or "",
                topic=topic,
                district=district,
                expires_at=expires_at,
                keep_photo=request.POST.get("keep_photo") == "on",
            )
            messages.success(request, _("Relayed; the sender is told."))
    except services.BroadcastError as exc:
        messages.error(request, str(exc))
    return redirect("broadcasts:relay")


@never_cache
@require_GET
@staff_required
def relay_photo(request: HttpRequest, scope: Scope, pk: int) -> HttpResponse:
    """The photo of an alert waiting for moderation, for the operator to judge."""
    alert = get_object_or_404(Alert, council=_council(scope), pk=pk)
    return photo_response(services.relay_photo(alert))


# -- what messages cost ----------------------------------------------------------------------


def _cost_period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    """The last twelve months, or ``?from=YYYY-MM-DD&to=YYYY-MM-DD``."""
    today = timezone.localdate()
    try:
        start = dt.date.fromisoformat(request.GET.get("from") or "")
    except ValueError:
        start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    try:
        end = dt.date.fromisoformat(request.GET.get("to") or "")
    except ValueError:
        end = today
    return start, end


def operator_or_staff(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Give the view the council of the staff member, or None (every council) when the
    installation operator (a superuser) asks."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_superuser and is_verified(user):
            return view(request, scope_for(user), None)

        @staff_required
        def as_staff(request: HttpRequest, scope: Scope) -> HttpResponse:
            return view(request, scope, _council(scope))

        return as_staff(request)

    return wrapper


@never_cache
@require_GET
@operator_or_staff
def cost_page(request: HttpRequest, scope: Scope | None, council: Council | None) -> HttpResponse:
    """What messages cost: the council's, or every council's for the installation operator."""
    start, end = _cost_period(request)
    rows = cost_report(council, start, end)
    groups = by_council(rows)
    totals = {
        "cost": sum((g.cost for g in groups), Decimal("0")),
        "as_sms": sum((g.as_sms for g in groups), Decimal("0")),
    }
    totals["saving"] = totals["as_sms"] - totals["cost"]
    return TemplateResponse(
        request,
        "broadcasts/costs.html",
        {
            "scope": scope,
            "council": council,
            "every_council": council is None,
            "groups": groups,
            "rows": rows,
            "totals": totals,
            "start": start,
            "end": end,
            "widest": max((r.as_sms for r in rows), default=Decimal("0")) or Decimal("1"),
        },
    )


@require_GET
@operator_or_staff
def cost_csv(request: HttpRequest, scope: Scope | None, council: Council | None) -> HttpResponse:
    start, end = _cost_period(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="costs-{start}-{end}.csv"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerows(csv_rows(cost_report(council, start, end), with_council=council is None))
    return response
