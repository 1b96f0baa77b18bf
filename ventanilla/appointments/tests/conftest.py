from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ventanilla.appointments.models import Office, OpeningHours, Slot
from ventanilla.conversations.tests.chat import local, make_town
from ventanilla.core.models import Council

#: Tuesday 10 March 2026, 10:00 in Madrid
NOW = local(2026, 3, 10, 10, 0)
#: Thursday 12 March 2026, 9:00: reminded on Wednesday at 9:00, within WhatsApp's 24 hours
THURSDAY_9 = local(2026, 3, 12, 9, 0)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def town(db):
    return make_town()


def office(council: Council, name: str = "Oficina de Atención Ciudadana", **fields) -> Office:
    values = {"address": "Plaza Mayor 1", "slot_minutes": 15, "desks": 1, **fields}
    made = Office.objects.create(council=council, name=name, **values)
    for weekday in range(5):
        OpeningHours.objects.create(
            office=made, weekday=weekday, opens=dt.time(9, 0), closes=dt.time(14, 0)
        )
    return made


def slots(where: Office, *starts: dt.datetime, capacity: int = 1) -> list[Slot]:
    return [
        Slot.objects.create(
            office=where,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=where.slot_minutes),
            capacity=capacity,
        )
        for start in starts
    ]
