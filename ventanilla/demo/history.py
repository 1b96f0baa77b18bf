"""A year of past cases for the demo council, so its statistics look like a real town's.

About 1,400 cases over the last twelve months: more in summer (noise, waste, parks) and
more streetlights in winter; most answered within hours, most resolved within their
category's deadline and some late; a few rejected or duplicate, about one in twenty
reopened; a third of the residents rate the service, well when it was on time and badly
when it was late, and some leave a comment (a few with a phone number, which the reports
redact). The cases carry no resident: they exist for the figures.

Written in bulk because the services stamp "now" and these cases are in the past; their
history rows are written alongside, and the statistics rows rebuilt at the end. Idempotent:
a council that already has cases older than a month keeps them and gets nothing new.
"""

from __future__ import annotations

import datetime as dt
import random
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ventanilla.cases.deadlines import add_working_days, add_working_hours
from ventanilla.cases.models import Case, CaseEvent, Category
from ventanilla.cases.references import allocate_reference
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Channel
from ventanilla.core.models import Council
from ventanilla.insights import rollup
from ventanilla.insights.models import Commitment, District

SEED = 2026
PER_DAY = 3.8
#: relative volume per month (January first)
SEASON = (0.8, 0.8, 0.9, 1.0, 1.1, 1.3, 1.4, 1.2, 1.0, 1.0, 0.9, 0.9)
#: categories that follow the season the other way round (long nights)
WINTER = frozenset({"alumbrado"})
#: (category code, commitment in working days, target %, statement)
CHARTER = [
    ("alumbrado", 5, 90, "Farolas reparadas en 5 días laborables"),
    ("residuos", 3, 95, "Contenedores recogidos o reparados en 3 días laborables"),
    ("baches", 10, 85, "Baches reparados en 10 días laborables"),
    ("parques", 7, 85, "Incidencias en parques resueltas en 7 días laborables"),
]
#: (name, south, north, west, east) around the demo's town centre
DISTRICTS = [
    ("Casco Antiguo", 40.410, 40.420, -3.710, -3.700),
    ("Ensanche", 40.420, 40.432, -3.710, -3.695),
    ("La Vega", 40.398, 40.410, -3.720, -3.700),
]
DESCRIPTIONS = {
    "alumbrado": "Farola apagada",
    "residuos": "Contenedor lleno desde hace días",
    "baches": "Bache en la calzada",
    "ruido": "Ruido por la noche",
    "parques": "Columpio roto en el parque",
    "agua": "Fuga de agua en la acera",
    "trafico": "Semáforo averiado",
}
GOOD = [
    "Muy rápido, gracias.",
    "Lo arreglaron en dos días. Perfecto.",
    "Bien atendido por WhatsApp, sin tener que ir al ayuntamiento.",
]
BAD = [
    "Tardaron demasiado, tuve que escribir tres veces.",
    "Sigue igual que antes. Llamadme al 612 345 678 si hace falta.",
    "Nadie me explicó por qué tardaba tanto.",
]


def _when(rng: random.Random, day: dt.date, council: Council) -> dt.datetime:
    """Return a moment of ``day``: mostly office hours, some evenings and nights."""
    hour = rng.choices([rng.randint(8, 14), rng.randint(15, 22), rng.randint(0, 7)], [6, 3, 1])[0]
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), tzinfo=council.tz)


def load_history(council: Council, *, days: int = 365) -> int:
    """Add a year of past cases to ``council`` unless it has history; return how many."""
    now = timezone.now()
    if Case.objects.of(council).filter(created_at__lt=now - dt.timedelta(days=40)).exists():
        return 0
    with transaction.atomic():
        added = _load(council, now=now, days=days)
        rollup.rebuild(council=council)
    return added


def _load(council: Council, *, now: dt.datetime, days: int) -> int:
    rng = random.Random(SEED)  # noqa: S311 - demo data, repeatable on purpose
    holidays = council.holiday_dates()
    categories = [
        c for c in Category.objects.of(council).active().order_by("code") if c.code in DESCRIPTIONS
    ]
    channels: list[Channel | None] = [*Channel.objects.of(council)] or [None]
    agents: dict[int, list[Any]] = {
        department_id: list(
            get_user_model().objects.filter(staff__departments=department_id).order_by("pk")
        )
        for department_id in {c.department_id for c in categories}
    }
    for code, working_days, target, statement in CHARTER:
        category = next((c for c in categories if c.code == code), None)
        if category is not None:
            Commitment.objects.get_or_create(
                category=category,
                defaults={
                    "working_days": working_days,
                    "target_percent": target,
                    "statement": statement,
                },
            )
    for name, south, north, west, east in DISTRICTS:
        District.objects.get_or_create(
            council=council,
            name=name,
            defaults={"south": south, "north": north, "west": west, "east": east},
        )
    today = now.astimezone(council.tz).date()
    cases: list[Case] = []
    plans: list[list[tuple[dt.datetime, str, str]]] = []
    for offset in range(days, 0, -1):
        day = today - dt.timedelta(days=offset)
        weekend = 0.5 if day.weekday() >= 5 else 1.0
        for category in categories:
            season = SEASON[(day.month + 5) % 12 if category.code in WINTER else day.month - 1]
            expected = PER_DAY * season * weekend / len(categories)
            for _ in range(_poisson(rng, expected)):
                case, plan = _case(rng, council, category, day, now, holidays, channels, agents)
                cases.append(case)
                plans.append(plan)
    Case.objects.bulk_create(cases, batch_size=500)
    events = [
        CaseEvent(case=case, kind=kind, from_value=before, to_value=after, created_at=moment)
        for case, plan in zip(cases, plans, strict=True)
        for moment, before, after, kind in _events(case, plan)
    ]
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    return len(cases)


def _poisson(rng: random.Random, mean: float) -> int:
    """Return a Poisson draw (Knuth's method: ``mean`` is small here)."""
    limit, k, p = pow(2.718281828459045, -mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _case(
    rng: random.Random,
    council: Council,
    category: Category,
    day: dt.date,
    now: dt.datetime,
    holidays: frozenset[dt.date],
    channels: list[Channel | None],
    agents: dict[int, list[Any]],
) -> tuple[Case, list[tuple[dt.datetime, str, str]]]:
    tz = council.tz
    created = _when(rng, day, council)
    office = partial(
        add_working_hours,
        holidays=holidays,
        tz=tz,
        opens=council.office_opens,
        closes=council.office_closes,
    )
    first_due = office(created, category.first_response_hours)
    due = add_working_days(created, category.resolution_days, holidays=holidays, tz=tz)
    answered = office(created, min(rng.lognormvariate(0.8, 0.9), 40))
    late = rng.random() < 0.12
    taken = (
        category.resolution_days + rng.randint(1, 12)
        if late
        else round(rng.triangular(0, max(category.resolution_days - 1, 0), 0))
    )
    finish = add_working_days(answered, taken, holidays=holidays, tz=tz) + dt.timedelta(
        hours=rng.randint(0, 3)
    )
    resolved: dt.datetime | None = None
    plan: list[tuple[dt.datetime, str, str]] = []
    roll = rng.random()
    status = Status.CLOSED
    point = rng.choice(DISTRICTS)
    lat = rng.uniform(point[1], point[2]) if rng.random() < 0.8 else None
    lon = rng.uniform(point[3], point[4]) if lat is not None else None
    if roll < 0.02:
        status = Status.DUPLICATE
        plan = [(answered, Status.NEW, Status.DUPLICATE)]
    elif roll < 0.05:
        status = Status.REJECTED
        plan = [(answered, Status.NEW, Status.REJECTED)]
    elif finish >= now or rng.random() < 0.02:  # still open, or forgotten
        status = Status.IN_PROGRESS if answered < now else Status.NEW
        plan = [(answered, Status.NEW, Status.IN_PROGRESS)] if answered < now else []
    else:
        plan = [(answered, Status.NEW, Status.IN_PROGRESS)]
        again = add_working_days(finish, rng.randint(1, 4), holidays=holidays, tz=tz)
        if rng.random() < 0.05 and again < now:  # reopened once, resolved again later
            plan.append((finish, Status.IN_PROGRESS, Status.RESOLVED))
            plan.append((finish + dt.timedelta(days=1), Status.RESOLVED, Status.REOPENED))
            plan.append((again, Status.REOPENED, Status.RESOLVED))
            finish = again
        else:
            plan.append((finish, Status.IN_PROGRESS, Status.RESOLVED))
        resolved = finish
        closes = finish + dt.timedelta(days=7)
        if closes < now:
            plan.append((closes, Status.RESOLVED, Status.CLOSED))
        else:
            status = Status.RESOLVED
    answered_at = answered if plan else None
    satisfaction, comment = None, ""
    if resolved is not None and rng.random() < 0.35:
        on_time = resolved <= due
        satisfaction = rng.choices(
            [1, 2, 3, 4, 5], [1, 1, 2, 5, 8] if on_time else [5, 4, 3, 1, 1]
        )[0]
        if rng.random() < 0.25:
            comment = rng.choice(GOOD if satisfaction >= 4 else BAD)
    department_agents = agents.get(category.department_id) or [None]
    case = Case(
        council=council,
        reference=allocate_reference(council=council, moment=created),
        category=category,
        department_id=category.department_id,
        assignee=rng.choice(department_agents) if plan else None,
        status=status,
        channel=rng.choice(channels),
        description=f"{DESCRIPTIONS[category.code]}.",
        latitude=lat,
        longitude=lon,
        is_public=False,
        created_at=created,
        updated_at=plan[-1][0] if plan else created,
        first_response_due_at=first_due,
        due_at=due,
        first_responded_at=answered_at,
        resolved_at=resolved,
        closed_at=plan[-1][0] if status == Status.CLOSED else None,
        satisfaction=satisfaction,
        satisfaction_comment=comment,
    )
    return case, plan


def _events(
    case: Case, plan: list[tuple[dt.datetime, str, str]]
) -> list[tuple[dt.datetime, str, str, str]]:
    events: list[tuple[dt.datetime, str, str, str]] = [
        (case.created_at, "", Status.NEW, CaseEvent.Kind.CREATED)
    ]
    events += [(moment, before, after, CaseEvent.Kind.STATUS) for moment, before, after in plan]
    return [(m, str(b), str(a), str(k)) for m, b, a, k in events]
