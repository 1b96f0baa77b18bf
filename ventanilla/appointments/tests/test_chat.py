"""An appointment asked for, confirmed, reminded and cancelled in the chat (in process; the
fakes' end-to-end on every provider is test_end_to_end)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from ventanilla.appointments import services
from ventanilla.appointments.models import Appointment, AppointmentStatus, Slot
from ventanilla.appointments.tasks import send_reminder
from ventanilla.appointments.tests.conftest import THURSDAY_9, office, slots
from ventanilla.conversations.tests.chat import Resident, local, make_channel, texts


@pytest.fixture
def resident(town):
    person = Resident(make_channel(town.council, "telegram"))
    person.accept_notice()
    return person


def test_a_resident_books_a_slot_and_hears_when_and_where(town, resident):
    place = office(town.council)
    thursday, later = slots(place, THURSDAY_9, THURSDAY_9 + dt.timedelta(minutes=15))

    offered = resident.send("cita")
    assert "Citas libres en Oficina de Atención Ciudadana (Plaza Mayor 1)" in texts(offered)
    assert [c["label"] for c in resident.offered()] == ["jue 12/03 09:00", "jue 12/03 09:15"]
    confirmed = resident.tap("jue 12/03 09:00")

    assert "Cita confirmada: jue 12/03/2026 09:00, en Oficina de Atención Ciudadana" in texts(
        confirmed
    )
    assert "ANULAR CITA" in texts(confirmed)
    appointment = Appointment.objects.get()
    assert appointment.slot == thursday and appointment.citizen == resident.citizen
    thursday.refresh_from_db()
    assert thursday.booked == 1
    # the full slot is no longer offered
    resident.send("pedir cita")
    assert [c["label"] for c in resident.offered()] == ["jue 12/03 09:15"]


def test_the_reminder_is_a_task_due_the_day_before_and_goes_once(town, resident):
    slots(office(town.council), THURSDAY_9)
    resident.send("cita")
    resident.tap("jue 12/03 09:00")
    appointment = Appointment.objects.get()

    [queued] = DBTaskResult.objects.filter(task_path=send_reminder.module_path)
    assert queued.run_after == THURSDAY_9 - dt.timedelta(days=1)
    assert queued.args_kwargs["args"] == [appointment.pk]

    before = resident.outbox()
    with time_machine.travel(local(2026, 3, 11, 8, 50), tick=False):
        assert send_reminder.call(appointment.pk) is False  # early: nothing
    with time_machine.travel(local(2026, 3, 11, 9, 0), tick=False):
        assert send_reminder.call(appointment.pk) is True
        assert send_reminder.call(appointment.pk) is False  # once
    [reminder] = resident.outbox()[len(before) :]
    assert reminder.text.startswith("Recordatorio: tiene cita mañana, jue 12/03/2026 09:00")
    appointment.refresh_from_db()
    assert appointment.reminded_at == local(2026, 3, 11, 9, 0)


def test_no_reminder_for_an_appointment_booked_less_than_a_day_ahead(town, resident):
    slots(office(town.council), local(2026, 3, 11, 9, 0))
    resident.send("cita")
    resident.tap("mié 11/03 09:00")
    assert Appointment.objects.exists()
    assert not DBTaskResult.objects.filter(task_path=send_reminder.module_path).exists()


@pytest.mark.parametrize(
    ("language", "ask", "cancel", "said"),
    [
        ("es", "pedir cita", "anular cita", "Cita anulada"),
        ("es", "necesito una cita", "quiero cancelar mi cita", "Cita anulada"),
        ("ca", "vull una cita", "cancel·lar la cita", "Cita anul·lada"),
        ("en", "I want to book an appointment", "cancel my appointment", "Appointment cancelled"),
    ],
)
def test_cancelling_by_chat_frees_the_place_and_stops_the_reminder(
    town, language, ask, cancel, said
):
    resident = Resident(make_channel(town.council, "telegram"), language_hint=language)
    resident.accept_notice({"es": "Hola", "ca": "Bon dia", "en": "Hello"}[language])
    slot = slots(office(town.council), THURSDAY_9)[0]
    resident.send(ask)
    resident.tap(resident.offered()[0]["id"])

    replies = resident.send(cancel)
    assert said in texts(replies)
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.CANCELLED
    slot.refresh_from_db()
    assert slot.booked == 0
    with time_machine.travel(local(2026, 3, 11, 9, 0), tick=False):
        assert send_reminder.call(appointment.pk) is False
    nothing = {"es": "No tiene ninguna", "ca": "No teniu cap", "en": "You have no"}[language]
    assert nothing in texts(resident.send(cancel))


def test_with_two_appointments_the_resident_picks_which_to_cancel(town, resident):
    first, second = slots(office(town.council), THURSDAY_9, THURSDAY_9 + dt.timedelta(hours=1))
    for label in ("jue 12/03 09:00", "jue 12/03 10:00"):
        resident.send("cita")
        resident.tap(label)
    assert "ya tiene 2 citas pendientes" in texts(resident.send("cita")).lower()

    assert "¿Qué cita quiere anular?" in texts(resident.send("anular la cita"))
    resident.tap("jue 12/03 10:00")
    assert list(
        Appointment.objects.order_by("slot__starts_at").values_list("status", flat=True)
    ) == [
        AppointmentStatus.BOOKED,
        AppointmentStatus.CANCELLED,
    ]


def test_two_residents_cannot_take_the_last_place(town, resident):
    slot = slots(office(town.council), THURSDAY_9, THURSDAY_9 + dt.timedelta(minutes=15))[0]
    neighbour = Resident(resident.channel)
    neighbour.accept_notice()
    resident.send("cita")
    neighbour.send("cita")

    resident.tap("jue 12/03 09:00")
    late = neighbour.tap("jue 12/03 09:00")

    assert "Esa hora acaba de ocuparse" in texts(late)
    assert [c["label"] for c in neighbour.offered()] == ["jue 12/03 09:15"]
    assert Appointment.objects.filter(slot=slot).count() == 1
    slot.refresh_from_db()
    assert slot.booked == slot.capacity == 1


def test_several_offices_are_offered_first(town, resident):
    slots(office(town.council, "Registro"), THURSDAY_9)
    slots(office(town.council, "Padrón", address="Calle Nueva 2"), THURSDAY_9)
    resident.send("cita previa")
    assert [c["label"] for c in resident.offered()] == ["Padrón", "Registro"]
    assert "Calle Nueva 2" in texts(resident.tap("Padrón"))


def test_no_free_slot_is_said(town, resident):
    office(town.council)
    assert "no quedan citas libres" in texts(resident.send("cita"))


def test_open_slots_follows_the_opening_hours_and_skips_holidays(town):
    from ventanilla.core.models import Holiday

    place = office(town.council, slot_minutes=30, desks=2)
    Holiday.objects.create(council=town.council, date=dt.date(2026, 3, 19), name="Sant Josep")
    made = services.open_slots(office=place, start=dt.date(2026, 3, 16), days=7)  # Mon-Sun

    assert made == 4 * 10  # four working days (Thursday a holiday), 9:00-14:00 in half hours
    assert services.open_slots(office=place, start=dt.date(2026, 3, 16), days=7) == 0
    first = Slot.objects.order_by("starts_at").first()
    assert first is not None
    assert first.starts_at == local(2026, 3, 16, 9, 0) and first.capacity == 2


def test_a_resident_erased_frees_their_place_and_their_appointments_go(town, resident):
    from ventanilla.privacy import subjects

    slot = slots(office(town.council), THURSDAY_9)[0]
    resident.send("cita")
    resident.tap("jue 12/03 09:00")
    subject = subjects.find(council=town.council, urn=resident.conversation_urn)
    assert subject is not None
    assert len(subjects.export(subject)["appointments"]) == 1

    assert subjects.erase(subject)["appointments"] == 1
    assert not Appointment.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0


def test_on_whatsapp_after_24_hours_the_reminder_needs_an_approved_template(town):
    whatsapp = make_channel(town.council, "whatsapp")
    resident = Resident(whatsapp)
    resident.accept_notice()
    friday_9 = local(2026, 3, 13, 9, 0)  # reminded on Thursday, 47 hours after the booking
    slots(office(town.council), friday_9)
    resident.send("cita")
    resident.tap("vie 13/03 09:00")
    appointment = Appointment.objects.get()
    before = len(resident.outbox())

    with time_machine.travel(local(2026, 3, 12, 9, 0), tick=False):
        assert send_reminder.call(appointment.pk) is False  # WhatsApp would refuse free text
    assert len(resident.outbox()) == before

    whatsapp.options = {services.TEMPLATE_OPTION: "appointment_reminder"}
    whatsapp.save()
    with time_machine.travel(local(2026, 3, 12, 9, 0), tick=False):
        assert send_reminder.call(appointment.pk) is True
    [reminder] = resident.outbox()[before:]
    assert reminder.payload["template"] == {
        "name": "appointment_reminder",
        "language": "es",
        "parameters": ["Oficina de Atención Ciudadana", "vie 13/03/2026 09:00"],
    }
