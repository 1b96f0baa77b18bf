"""Staff see their council's appointments; administrators manage offices and open slots."""

from __future__ import annotations

import datetime as dt

from ventanilla.appointments.models import Appointment, Slot
from ventanilla.appointments.tests.conftest import THURSDAY_9, office, slots
from ventanilla.cases.tests.factories import make_council, make_staff
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.inbox.tests.factories import signed_in


def _book(council, name: str, start: dt.datetime) -> Appointment:
    slot = slots(office(council), start)[0]
    citizen = find_or_create_citizen(council=council, urn="tel:+34600111333", name=name)
    return Appointment.objects.create(council=council, slot=slot, citizen=citizen)


def test_staff_list_the_week_of_appointments_of_their_council_only(town, settings):
    settings.LANGUAGE_CODE = "en"
    _book(town.council, "Marta Soler", THURSDAY_9)
    _book(make_council(), "Pere Vidal", THURSDAY_9)
    client = signed_in(make_staff(council=town.council))

    page = client.get("/appointments/", {"day": "2026-03-09"}).content.decode()
    assert "Marta Soler" in page and "12/03/2026 09:00" in page
    assert "Pere Vidal" not in page
    later = client.get("/appointments/", {"day": "2026-03-16"}).content.decode()
    assert "Marta Soler" not in later and "No appointments." in later


def test_the_list_is_for_staff_only(client):
    assert client.get("/appointments/").status_code == 302


def test_the_admin_opens_four_weeks_of_slots(town, admin_client):
    place = office(town.council)
    response = admin_client.post(
        "/admin/appointments/office/",
        {"action": "open_four_weeks", "_selected_action": [place.pk]},
        follow=True,
    )
    assert response.status_code == 200
    # 28 days from Tuesday 10 March: 20 weekdays, 20 slots of 15 minutes from 9:00 to 14:00
    assert Slot.objects.filter(office=place).count() == 20 * 20


def test_the_command_opens_the_slots_of_every_active_office(town):
    from io import StringIO

    from django.core.management import call_command

    open_ = office(town.council)
    closed = office(town.council, "Cerrada", active=False)
    out = StringIO()
    call_command("open_slots", "--days", "7", stdout=out)  # Tuesday 10 to Monday 16 March
    assert Slot.objects.filter(office=open_).count() == 5 * 20
    assert not Slot.objects.filter(office=closed).exists()
    assert "100" in out.getvalue()
