"""The write path of appointments: open slots, book, cancel, remind.

Booking takes a place with one conditional update (``booked < capacity``), so two residents
asking for the last place of a slot at the same moment cannot both get it, on SQLite or on
PostgreSQL. The reminder is a task queued with the booking to run ``REMIND_BEFORE`` the
appointment; a cancelled appointment is not reminded.
"""

from __future__ import annotations

import datetime as dt

import structlog
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import formats, timezone, translation

from ventanilla.appointments.models import Appointment, AppointmentStatus, Office, Slot
from ventanilla.channels.policy import OutboundRefused
from ventanilla.citizens.models import Citizen
from ventanilla.conversations.bot_templates import TemplateBook
from ventanilla.conversations.models import Conversation
from ventanilla.conversations.services import queue_outbound
from ventanilla.core.models import Council, Holiday

log = structlog.get_logger(__name__)

#: the reminder goes this long before the appointment ("the day before", at the same time)
REMIND_BEFORE = dt.timedelta(days=1)
#: a slot can be booked until this long before it starts
BOOK_AHEAD = dt.timedelta(hours=1)
#: upcoming appointments one resident may hold at once
MAX_UPCOMING = 2
#: the channel option naming an approved WhatsApp template for reminders outside 24 hours
TEMPLATE_OPTION = "appointment_reminder_template"


class TooManyAppointments(Exception):
    """The resident already holds ``MAX_UPCOMING`` upcoming appointments."""


# -- slots ---------------------------------------------------------------------------------


@transaction.atomic
def open_slots(*, office: Office, start: dt.date, days: int) -> int:
    """Create the slots of ``office``'s opening hours for ``days`` days from ``start``.

    Holidays of the council are skipped; slots that exist already are kept as they are.
    Return how many slots were created.
    """
    holidays = set(
        Holiday.objects.filter(
            council_id=office.council_id, date__gte=start, date__lt=start + dt.timedelta(days=days)
        ).values_list("date", flat=True)
    )
    hours = list(office.hours.all())
    step = dt.timedelta(minutes=office.slot_minutes)
    zone = timezone.get_current_timezone()
    new = []
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        if day in holidays:
            continue
        for span in hours:
            if span.weekday != day.weekday():
                continue
            at = dt.datetime.combine(day, span.opens, tzinfo=zone)
            closes = dt.datetime.combine(day, span.closes, tzinfo=zone)
            while at + step <= closes:
                new.append(
                    Slot(office=office, starts_at=at, ends_at=at + step, capacity=office.desks)
                )
                at += step
    existing = set(
        Slot.objects.filter(office=office, starts_at__in=[s.starts_at for s in new]).values_list(
            "starts_at", flat=True
        )
    )
    fresh = [s for s in new if s.starts_at not in existing]
    Slot.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def bookable(council: Council, *, office: Office | None = None) -> QuerySet[Slot]:
    """Return the slots of ``council`` a resident may book now, earliest first."""
    slots = Slot.objects.filter(
        office__council=council,
        office__active=True,
        starts_at__gte=timezone.now() + BOOK_AHEAD,
        booked__lt=F("capacity"),
    )
    if office is not None:
        slots = slots.filter(office=office)
    return slots.select_related("office").order_by("starts_at", "office_id")


def offices_with_slots(council: Council) -> list[Office]:
    """Return the active offices of ``council`` with a slot free."""
    ids = set(bookable(council).values_list("office_id", flat=True).distinct())
    return list(Office.objects.filter(pk__in=ids).order_by("name"))


def upcoming(citizen: Citizen) -> QuerySet[Appointment]:
    """Return ``citizen``'s booked appointments still to come, earliest first."""
    return (
        Appointment.objects.filter(
            citizen=citizen,
            status=AppointmentStatus.BOOKED,
            slot__starts_at__gt=timezone.now(),
        )
        .select_related("slot", "slot__office")
        .order_by("slot__starts_at")
    )


# -- booking -------------------------------------------------------------------------------


@transaction.atomic
def book(
    *, slot_id: int, citizen: Citizen, conversation: Conversation | None, language: str
) -> Appointment | None:
    """Book a place of slot ``slot_id`` for ``citizen``; None when no place is left.

    Raise ``TooManyAppointments`` when the resident already holds ``MAX_UPCOMING``.
    """
    # the resident's row serialises their own bookings (two taps at once count as two)
    Citizen.objects.select_for_update().filter(pk=citizen.pk).first()
    held = upcoming(citizen)
    same = held.filter(slot_id=slot_id).first()
    if same is not None:
        return same  # tapped twice: the booking they have
    if held.count() >= MAX_UPCOMING:
        raise TooManyAppointments
    if not Office.objects.filter(slots=slot_id, active=True).exists():
        return None
    # Only the slot's own columns in the condition: PostgreSQL re-checks them on the row a
    # concurrent booking just changed (a join would make it an uncorrelated subquery, checked
    # once, and two residents could take the last place; the CHECK constraint would refuse).
    taken = Slot.objects.filter(
        pk=slot_id, booked__lt=F("capacity"), starts_at__gte=timezone.now() + BOOK_AHEAD
    ).update(booked=F("booked") + 1)
    if not taken:
        return None
    slot = Slot.objects.select_related("office").get(pk=slot_id)
    appointment = Appointment.objects.create(
        council_id=slot.office.council_id,
        slot=slot,
        citizen=citizen,
        conversation=conversation,
        language=language,
    )
    due = reminder_due(slot)
    if due is not None:
        _schedule_reminder(appointment.pk, due)  # a row of the queue, in this transaction
    log.info("appointment_booked", appointment=appointment.pk, slot=slot.pk)
    return appointment


def reminder_due(slot: Slot) -> dt.datetime | None:
    """Return when the reminder of an appointment in ``slot`` goes; None when that is past
    (booked less than a day ahead: the confirmation is fresh)."""
    due = slot.starts_at - REMIND_BEFORE
    return due if due > timezone.now() else None


def _schedule_reminder(appointment_id: int, due: dt.datetime) -> None:
    from ventanilla.appointments.tasks import send_reminder  # tasks import this module

    if send_reminder.get_backend().supports_defer:
        send_reminder.using(run_after=due).enqueue(appointment_id)
    else:
        log.warning("appointment_reminder_not_scheduled", appointment=appointment_id)


@transaction.atomic
def cancel(*, appointment: Appointment) -> bool:
    """Cancel ``appointment`` and free its place; return whether it was booked."""
    locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
    if locked.status != AppointmentStatus.BOOKED:
        return False
    locked.status = AppointmentStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["status", "cancelled_at"])
    Slot.objects.filter(pk=locked.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    appointment.status, appointment.cancelled_at = locked.status, locked.cancelled_at
    log.info("appointment_cancelled", appointment=appointment.pk)
    return True


# -- the reminder --------------------------------------------------------------------------


def when_text(slot: Slot, language: str) -> str:
    """Return the slot's day and time for the resident ("mar 10/03/2026 09:30")."""
    with translation.override(language):
        local = timezone.localtime(slot.starts_at)
        return formats.date_format(local, "D d/m/Y H:i")


@transaction.atomic
def remind(*, appointment_id: int) -> bool:
    """Queue the reminder of a booked appointment once, when it is due; return whether sent."""
    appointment = (
        Appointment.objects.select_for_update(of=("self",))  # the conversation may be gone
        .filter(pk=appointment_id)
        .select_related("slot", "slot__office", "conversation", "conversation__channel")
        .first()
    )
    if appointment is None or appointment.status != AppointmentStatus.BOOKED:
        return False
    now = timezone.now()
    slot = appointment.slot
    if appointment.reminded_at is not None or slot.starts_at <= now:
        return False
    if now < slot.starts_at - REMIND_BEFORE - dt.timedelta(minutes=1):
        return False  # too early (run by hand): the queued task comes at its time
    conversation = appointment.conversation
    if conversation is None:
        return False
    office = slot.office
    book_ = TemplateBook(appointment.council, appointment.language)
    params = {
        "office": office.name_in(appointment.language),
        "address": office.address,
        "when": when_text(slot, appointment.language),
    }
    text = book_.text("appointment.reminder", **params)
    try:
        queue_outbound(conversation=conversation, text=text, automatic=True)
    except OutboundRefused:
        name = (conversation.channel.options or {}).get(TEMPLATE_OPTION)
        if not name:
            log.warning("appointment_reminder_refused", appointment=appointment_id)
            return False
        template = {
            "name": name,
            "language": appointment.language,
            "parameters": [params["office"], params["when"]],
        }
        queue_outbound(conversation=conversation, text=text, automatic=True, template=template)
    appointment.reminded_at = now
    appointment.save(update_fields=["reminded_at"])
    return True
