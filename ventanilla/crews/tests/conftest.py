from __future__ import annotations

import pytest
import time_machine
from django.utils import translation

from ventanilla.conversations.tests.chat import local
from ventanilla.inbox.tests.conftest import (  # noqa: F401 - the inbox's browser fixtures
    _stop_shared_hub,
    browse,
    chromium,
    server,
)

#: a Tuesday morning: the office is open
OPEN = local(2026, 3, 10, 10, 0)


@pytest.fixture(autouse=True)
def _office_open():
    with time_machine.travel(OPEN, tick=True):
        yield


@pytest.fixture(autouse=True)
def _english():
    """Staff-facing texts are asserted in English (the residents' own follow their language)."""
    with translation.override("en"):
        yield
