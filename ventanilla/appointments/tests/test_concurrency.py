"""Eight residents in eight processes tap the last places of a slot at once, on PostgreSQL:
exactly as many bookings as places, and the count of places taken agrees."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection

from ventanilla.appointments.models import Appointment, Office, Slot
from ventanilla.cases.tests.factories import make_council
from ventanilla.citizens.services import find_or_create_citizen

WORKER = textwrap.dedent("""
    import os, sys, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    django.setup()
    from ventanilla.appointments import services
    from ventanilla.citizens.models import Citizen
    citizen = Citizen.objects.get(pk=int(sys.argv[2]))
    sys.stdin.readline()  # start together
    booked = services.book(slot_id=int(sys.argv[1]), citizen=citizen, conversation=None,
                           language="es")
    print("booked" if booked else "full")
""")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("places", [1, 3])
def test_eight_residents_at_once_get_exactly_the_places_left(places):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency is a PostgreSQL property; SQLite serialises writers")
    council = make_council()
    office = Office.objects.create(council=council, name="Registro", address="Plaza 1")
    start = dt.datetime(2036, 3, 12, 9, 0, tzinfo=dt.UTC)  # ahead of the workers' real clock
    slot = Slot.objects.create(
        office=office, starts_at=start, ends_at=start + dt.timedelta(minutes=15), capacity=places
    )
    residents = [
        find_or_create_citizen(council=council, urn=f"tel:+3460090{n:04d}") for n in range(8)
    ]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(slot.pk), str(resident.pk)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for resident in residents
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    said = [worker.communicate(timeout=120)[0].strip().splitlines()[-1] for worker in workers]
    assert [w.returncode for w in workers] == [0] * 8

    assert said.count("booked") == places and said.count("full") == 8 - places
    assert Appointment.objects.filter(slot=slot).count() == places
    slot.refresh_from_db()
    assert slot.booked == places
