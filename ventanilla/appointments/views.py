"""The staff list of appointments: who comes to which office, day by day."""

from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from ventanilla.appointments.models import Appointment, AppointmentStatus, Office
from ventanilla.inbox.access import HtmxHttpRequest, staff_required
from ventanilla.inbox.selectors import Scope

#: days shown from the day asked for
DAYS_SHOWN = 7


@staff_required
def appointments(request: HtmxHttpRequest, scope: Scope) -> HttpResponse:
    """List the council's appointments for a week from ``?day=`` (today), by ``?office=``."""
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    offices = Office.objects.filter(council=scope.council)
    office = (
        offices.filter(pk=int(request.GET["office"])).first()
        if request.GET.get("office", "").isdigit()
        else None
    )
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    rows = (
        Appointment.objects.filter(
            council=scope.council,
            slot__starts_at__gte=start,
            slot__starts_at__lt=start + dt.timedelta(days=DAYS_SHOWN),
        )
        .select_related("slot", "slot__office", "citizen", "conversation__channel")
        .order_by("slot__starts_at", "slot__office__name", "pk")
    )
    if office is not None:
        rows = rows.filter(slot__office=office)
    return TemplateResponse(
        request,
        "appointments/list.html",
        {
            "appointments": rows,
            "offices": offices,
            "office": office,
            "day": day,
            "until": day + dt.timedelta(days=DAYS_SHOWN - 1),
            "previous": day - dt.timedelta(days=DAYS_SHOWN),
            "next": day + dt.timedelta(days=DAYS_SHOWN),
            "booked": AppointmentStatus.BOOKED,
        },
    )
