from __future__ import annotations

import pytest
import time_machine

from ventanilla.conversations.tests.chat import Resident, local, make_channel, make_town

#: a Tuesday morning: the office is open
OPEN = local(2026, 3, 10, 10, 0)


@pytest.fixture(autouse=True)
def _office_open():
    with time_machine.travel(OPEN, tick=True):
        yield


@pytest.fixture
def town(db):
    return make_town()


@pytest.fixture
def channel(town):
    return make_channel(town.council, "telegram")


@pytest.fixture
def sms(town):
    return make_channel(town.council, "twilio")


@pytest.fixture
def resident(channel):
    return Resident(channel, name="Lucía")


@pytest.fixture
def known(channel):
    """A resident who already accepted the privacy notice."""
    resident = Resident(channel, name="Pere")
    resident.accept_notice()
    return resident
