"""A small hand-made council whose figures for March 2026 are worked out in ``EXPECTED``.

Madrid time; office 9:00-14:00; Thursday 19 March 2026 is a holiday. "Now" is Friday
3 April 2026, 12:00. Lighting (Urban services) has a 2-working-day deadline, cleaning
(Cleaning) 5 working days.

====  ========  ======================  ====================  ============================
case  category  received                first answer          outcome
====  ========  ======================  ====================  ============================
c0    lighting  Mon 16 Feb 10:00        11:00 (1 h)           resolved Tue 17 10:00 (1 wd)
c6    lighting  Fri 27 Feb 10:00        Mon 2 Mar 9:00 (4 h)  resolved Mon 2 Mar 10:00
c1    lighting  Mon 16 Mar 10:00        12:00 (2 h)           resolved Wed 18 10:00: 2 wd,
                (district Centro,                             on time; ★5 with a DNI in the
                whatsapp, agent Ana)                          comment
c2    lighting  Wed 18 Mar 13:00        Fri 20 10:00 (2 h:    resolved Mon 23 13:00 (on
                (telegram)              Thu is a holiday)     time), reopened Tue 24,
                                                              resolved Wed 25 13:00: 4 wd,
                                                              late; ★2
c3    cleaning  Fri 20 Mar 15:00        Mon 23 9:30 (0.5 h)   open, due Fri 27 15:00: late
c4    cleaning  Sat 21 Mar 11:00        Mon 23 10:00 (1 h)    rejected: not counted
c5    cleaning  Mon 30 Mar 9:00         —                     open, due Mon 6 Apr: not yet
====  ========  ======================  ====================  ============================
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Role
from ventanilla.cases.tests.factories import (
    make_category,
    make_council,
    make_department,
    make_staff,
)
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Channel
from ventanilla.core.models import Holiday
from ventanilla.inbox.tests.conftest import (  # noqa: F401 - the inbox's browser fixtures
    _stop_shared_hub,
    browse,
    chromium,
    server,
)
from ventanilla.insights.models import Commitment, District

MADRID = ZoneInfo("Europe/Madrid")
NOW = dt.datetime(2026, 4, 3, 12, 0, tzinfo=MADRID)
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def madrid(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=MADRID)


#: the March figures, worked out by hand from the table above
EXPECTED = {
    "received": 5,
    "resolved": 3,  # c1, c2 and c6 (received in February)
    "first_response_median_hours": 1.5,  # 0.5, 1, 2, 2
    "first_response_p90_hours": 2.0,
    "resolution_median_days": 3.0,  # 2 and 4
    "resolution_p90_days": 3.8,
    "deadline_counted": 3,  # c1, c2, c3
    "on_time": 1,  # c1
    "ever_resolved": 2,
    "reopened": 1,  # c2
    "satisfaction": {1: 0, 2: 1, 3: 0, 4: 0, 5: 1},
    "satisfaction_average": 3.5,
    "backlog_open": 2,  # c3, c5
    "backlog_overdue": 1,  # c3
    "backlog_ages": {"0-7": 1, "8-30": 1, "31-90": 0, "91+": 0},  # 4 and 13 days
    "backlog_median_age_days": 8.5,
    "previous_received": 2,  # c0, c6
    "previous_resolved": 1,  # c0
}


def _case(category, *, created, steps=(), channel=None, assign=None, where=None, rating=None):
    latitude, longitude = where or (None, None)
    with time_machine.travel(created, tick=False):
        case = case_services.open_case(
            category=category,
            description="Farola apagada",
            channel=channel,
            latitude=latitude,
            longitude=longitude,
        )
    for moment, status in steps:
        with time_machine.travel(moment, tick=False):
            if assign is not None and status == Status.IN_PROGRESS:
                case = case_services.assign_case(case=case, agent=assign)
            case = case_services.change_status(case=case, status=status)
    if rating is not None:
        with time_machine.travel(madrid(3, 26, 10), tick=False):
            score, comment = rating
            case = case_services.record_satisfaction(case=case, score=score, comment=comment)
    return case


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def town(db):
    council = make_council(name="Villaverde", slug="villaverde", time_zone="Europe/Madrid")
    Holiday.objects.create(council=council, date=dt.date(2026, 3, 19), name="San José")
    urban = make_department(council=council, name="Servicios Urbanos")
    cleaning = make_department(council=council, name="Limpieza")
    lighting = make_category(
        council=council,
        department=urban,
        code="alumbrado",
        name_es="Alumbrado",
        resolution_days=2,
    )
    litter = make_category(
        council=council,
        department=cleaning,
        code="limpieza",
        name_es="Limpieza viaria",
        resolution_days=5,
    )
    Commitment.objects.create(
        category=lighting, working_days=3, statement="Farolas reparadas en 3 días laborables"
    )
    centro = District.objects.create(
        council=council, name="Centro", south=40.0, north=40.1, west=-3.8, east=-3.6
    )
    whatsapp = Channel.objects.create(council=council, provider="whatsapp", name="WhatsApp")
    telegram = Channel.objects.create(council=council, provider="telegram", name="Telegram")
    ana = make_staff(council=council, departments=(urban,), username="ana")
    ana.first_name, ana.last_name = "Ana", "Ruiz"
    ana.save()
    cases = SimpleNamespace()
    cases.c0 = _case(
        lighting,
        created=madrid(2, 16, 10),
        steps=[(madrid(2, 16, 11), Status.IN_PROGRESS), (madrid(2, 17, 10), Status.RESOLVED)],
    )
    cases.c6 = _case(
        lighting,
        created=madrid(2, 27, 10),
        steps=[(madrid(3, 2, 9), Status.IN_PROGRESS), (madrid(3, 2, 10), Status.RESOLVED)],
    )
    cases.c1 = _case(
        lighting,
        created=madrid(3, 16, 10),
        channel=whatsapp,
        assign=ana,
        where=(40.05, -3.7),
        steps=[(madrid(3, 16, 12), Status.IN_PROGRESS), (madrid(3, 18, 10), Status.RESOLVED)],
        rating=(5, "Muy rápido, gracias. Mi DNI es 12345678Z"),
    )
    cases.c2 = _case(
        lighting,
        created=madrid(3, 18, 13),
        channel=telegram,
        steps=[
            (madrid(3, 20, 10), Status.IN_PROGRESS),
            (madrid(3, 23, 13), Status.RESOLVED),
            (madrid(3, 24, 10), Status.REOPENED),
            (madrid(3, 25, 13), Status.RESOLVED),
        ],
        rating=(2, "Tardaron mucho"),
    )
    cases.c3 = _case(
        litter, created=madrid(3, 20, 15), steps=[(madrid(3, 23, 9, 30), Status.IN_PROGRESS)]
    )
    cases.c4 = _case(
        litter, created=madrid(3, 21, 11), steps=[(madrid(3, 23, 10), Status.REJECTED)]
    )
    cases.c5 = _case(litter, created=madrid(3, 30, 9))
    return SimpleNamespace(
        council=council,
        urban=urban,
        cleaning=cleaning,
        lighting=lighting,
        litter=litter,
        centro=centro,
        ana=ana,
        cases=cases,
        supervisor=make_staff(council=council, role=Role.SUPERVISOR, username="sara"),
        auditor=make_staff(council=council, role=Role.AUDITOR, username="aude"),
        agent_cleaning=make_staff(council=council, departments=(cleaning,), username="carla"),
    )
