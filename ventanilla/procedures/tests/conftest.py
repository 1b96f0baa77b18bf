from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from ventanilla.conversations.tests.chat import local, make_town
from ventanilla.procedures.models import CensusRecord

OPEN = local(2026, 3, 10, 10, 0)


@pytest.fixture(autouse=True)
def _office_open():
    with time_machine.travel(OPEN, tick=True):
        yield


@pytest.fixture
def town(db):
    return make_town()


def person(council, **fields) -> CensusRecord:
    values = {
        "dni": "12345678Z",
        "given_name": "Lucía",
        "surname1": "García",
        "surname2": "Puig",
        "birth_date": dt.date(1980, 3, 12),
        "address": "Calle Mayor 3, 2º 1ª",
        "district": "Centro",
        "phone": "+34600111222",
        "household": "H1",
        "registered_since": dt.date(2010, 1, 1),
        **fields,
    }
    return CensusRecord.objects.create(council=council, **values)
