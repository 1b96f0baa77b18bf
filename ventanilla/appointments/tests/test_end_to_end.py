"""An appointment on every provider, through the fake providers and real HTTP: asked for,
picked from the buttons (numbered lines on SMS), confirmed, reminded the day before by the
queued task, and cancelled by chat."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from ventanilla.appointments.models import Appointment, AppointmentStatus
from ventanilla.appointments.tests.conftest import THURSDAY_9, office, slots
from ventanilla.conversations.tests.chat import local, make_town
from ventanilla.conversations.tests.test_end_to_end import Phone, text_of
from ventanilla.fakes.simulator import Simulator
from ventanilla.fakes.tests.harness import PROVIDERS, Fakes, run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

#: residents of these tests only (the fakes are shared by the session)
CHAT = {
    "whatsapp": "34600720801",
    "telegram": "720801",
    "line": "vecina-cita",
    "twilio": "+34600720801",
}


@pytest.fixture
def simulator(fakes: Fakes) -> Simulator:
    simulator = Simulator(fakes.hub, language="es")
    simulator.install()
    return simulator


@pytest.mark.parametrize("provider", PROVIDERS)
def test_book_be_reminded_and_cancel_on_every_provider(
    provider: str, fakes: Fakes, simulator: Simulator, transactional_db: Any
) -> None:
    council = make_town().council
    fakes.channel(provider, council=council)
    place = office(council)
    slots(place, THURSDAY_9, THURSDAY_9 + dt.timedelta(minutes=15))
    phone = Phone(fakes, simulator, provider, CHAT[provider])
    phone.say("Hola")
    phone.tap("Acepto")

    assert "Citas libres en Oficina de Atención Ciudadana" in text_of(phone.say("pedir cita"))
    assert phone.options()[:2] == ["jue 12/03 09:00", "jue 12/03 09:15"]
    confirmed = text_of(phone.tap("jue 12/03 09:00"))
    assert "Cita confirmada: jue 12/03/2026 09:00" in confirmed
    appointment = Appointment.objects.get()

    # the worker sends the reminder at its time, not before
    with time_machine.travel(local(2026, 3, 11, 8, 55), tick=False):
        run_tasks()
    assert "Recordatorio" not in text_of(phone.outs())
    with time_machine.travel(local(2026, 3, 11, 9, 0), tick=False):
        before = len(phone.outs())
        run_tasks()
        reminded = phone.outs()[before:]
    assert text_of(reminded).startswith("Recordatorio: tiene cita mañana, jue 12/03/2026 09:00")

    with time_machine.travel(local(2026, 3, 11, 9, 30)):  # after the reminder: "I cannot go"
        cancelled = text_of(phone.say("anular cita"))
    assert "Cita anulada: jue 12/03/2026 09:00" in cancelled
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
