"""A demo council: departments, a dozen typical categories, staff accounts and some cases.

Loading is idempotent: running it again finds what is there and adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, Category, Department, Role, Staff
from ventanilla.cases.workflow import Status
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.core.models import Council, Holiday
from ventanilla.demo import history, municipal_services
from ventanilla.inbox.models import CannedReply
from ventanilla.portal.models import PublicRecord
from ventanilla.portal.services import update_public_summary

COUNCIL = {
    "slug": "villaverde",
    "name": "Ayuntamiento de Villaverde del Río",
    "jurisdiction_id": "villaverde.example.org",
    "data_controller": "Ayuntamiento de Villaverde del Río, Plaza Mayor 1",
}

# (key, es, ca, en)
DEPARTMENTS = [
    ("urbanos", "Servicios Urbanos", "Serveis Urbans", "Urban Services"),
    ("medioambiente", "Medio Ambiente", "Medi Ambient", "Environment"),
    ("movilidad", "Movilidad", "Mobilitat", "Mobility"),
    ("policia", "Policía Local", "Policia Local", "Local Police"),
    ("atencion", "Atención Ciudadana", "Atenció Ciutadana", "Citizen Services"),
]

# (code, es, ca, en, department, days, hours, public, keywords)
CATEGORIES = [
    (
        "alumbrado",
        "Alumbrado público",
        "Enllumenat públic",
        "Street lighting",
        "urbanos",
        5,
        8,
        True,
        "farola\nluz\nalumbrado\nfanal\nllum\nstreetlight\nlamp",
    ),
    (
        "residuos",
        "Recogida de residuos",
        "Recollida de residus",
        "Waste collection",
        "medioambiente",
        3,
        8,
        True,
        "basura\ncontenedor\nresiduos\nescombros\nbrossa\ncontenidor\nrubbish\nbin\ntrash",
    ),
    (
        "baches",
        "Baches y aceras",
        "Sots i voreres",
        "Potholes and pavements",
        "urbanos",
        10,
        16,
        True,
        "bache\nacera\nasfalto\nsocavón\nbaldosa\nsot\nvorera\npothole\npavement",
    ),
    (
        "ruido",
        "Ruido",
        "Soroll",
        "Noise",
        "policia",
        5,
        8,
        False,
        "ruido\nmúsica\nfiesta\nsoroll\nnoise\nloud",
    ),
    (
        "parques",
        "Parques y jardines",
        "Parcs i jardins",
        "Parks and gardens",
        "medioambiente",
        10,
        16,
        True,
        "parque\njardín\nárbol\ncésped\nrama\nparc\narbre\npark\ntree",
    ),
    (
        "agua",
        "Agua y alcantarillado",
        "Aigua i clavegueram",
        "Water and sewers",
        "urbanos",
        3,
        4,
        True,
        "agua\nfuga\nalcantarilla\ntubería\ninundación\naigua\nfuita\nwater\nleak\nsewer",
    ),
    (
        "trafico",
        "Tráfico y aparcamiento",
        "Trànsit i aparcament",
        "Traffic and parking",
        "movilidad",
        5,
        8,
        True,
        "tráfico\nsemáforo\naparcamiento\nseñal\ntrànsit\nsemàfor\ntraffic\nparking",
    ),
    (
        "grafitis",
        "Grafitis y pintadas",
        "Grafits i pintades",
        "Graffiti",
        "urbanos",
        10,
        16,
        True,
        "grafiti\npintada\ngraffiti\npintades",
    ),
    (
        "abandonados",
        "Vehículos abandonados",
        "Vehicles abandonats",
        "Abandoned vehicles",
        "movilidad",
        15,
        16,
        True,
        "abandonado\nabandonat\nabandoned\nchatarra",
    ),
    (
        "animales",
        "Animales",
        "Animals",
        "Animals",
        "medioambiente",
        5,
        8,
        True,
        "perro\ngato\nanimal\nplaga\nratas\ngos\ngat\ndog\ncat\nrats",
    ),
    (
        "policia",
        "Policía local",
        "Policia local",
        "Local police",
        "policia",
        2,
        2,
        False,
        "policía\nrobo\npelea\npolicia\nrobatori\npolice\ntheft",
    ),
    ("otros", "Otros", "Altres", "Other", "atencion", 10, 16, False, ""),
]

HOLIDAYS_2026 = [
    (dt.date(2026, 1, 1), "Año Nuevo"),
    (dt.date(2026, 1, 6), "Epifanía del Señor"),
    (dt.date(2026, 4, 3), "Viernes Santo"),
    (dt.date(2026, 5, 1), "Fiesta del Trabajo"),
    (dt.date(2026, 8, 15), "Asunción de la Virgen"),
    (dt.date(2026, 9, 8), "Fiesta local"),
    (dt.date(2026, 10, 12), "Fiesta Nacional de España"),
    (dt.date(2026, 12, 7), "Lunes siguiente a la Constitución"),
    (dt.date(2026, 12, 8), "Inmaculada Concepción"),
    (dt.date(2026, 12, 25), "Natividad del Señor"),
    (dt.date(2027, 1, 1), "Año Nuevo"),
    (dt.date(2027, 1, 6), "Epifanía del Señor"),
]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    departments: tuple[str, ...]


ACCOUNTS = [
    DemoAccount("admin", "demo-admin-2026", Role.ADMINISTRATOR, ()),
    DemoAccount("supervisora", "demo-super-2026", Role.SUPERVISOR, ()),
    DemoAccount("agente.urbanos", "demo-urbanos-2026", Role.AGENT, ("urbanos",)),
    DemoAccount("agente.policia", "demo-policia-2026", Role.AGENT, ("policia", "movilidad")),
    DemoAccount("auditor", "demo-auditor-2026", Role.AUDITOR, ()),
]

#: the demo residents never use the simulator's default identities (WhatsApp and SMS
#: +34 600 111 222, Telegram 123456789, LINE "vecina-lucia"): a message written there in the
#: README's walk-through opens a new case instead of joining one of these
CASES = [
    (
        "whatsapp:34600999101",
        "Lucía Martín",
        "alumbrado",
        "La farola de la esquina de la calle Mayor con Plaza España lleva tres noches apagada.",
        (40.4169, -3.7033),
        "Calle Mayor",
        Status.IN_PROGRESS,
    ),
    (
        "telegram:481516234",
        "Jordi Puig",
        "residuos",
        "El contenidor de la brossa del carrer Nou està ple des de dilluns.",
        (40.4180, -3.7050),
        "Carrer Nou",
        Status.NEW,
    ),
    (
        "tel:+34611222333",
        "Ana Ruiz",
        "baches",
        "Hay un bache enorme en la avenida de la Constitución, delante del colegio.",
        (40.4150, -3.7010),
        "Avenida de la Constitución",
        Status.ASSIGNED,
    ),
    (
        "line:U4af4980629a1b2c3d4e5f60718293a4b",
        "Tom Baker",
        "parques",
        "A big branch fell on the path in the riverside park.",
        (40.4200, -3.7000),
        "Parque de la Ribera",
        Status.RESOLVED,
    ),
    (
        "whatsapp:34622333444",
        "Pedro Sánchez",
        "ruido",
        "Música muy alta todas las noches en el bar de la plaza.",
        None,
        "Plaza del Ayuntamiento",
        Status.NEW,
    ),
    (
        "whatsapp:34633444555",
        "Carmen López",
        "agua",
        "Fuga de agua en la calle del Río, sale mucha agua de la acera.",
        (40.4160, -3.7060),
        "Calle del Río",
        Status.IN_PROGRESS,
    ),
    (
        "whatsapp:34644555666",
        "Rosa Gil",
        "grafitis",
        "Han pintado grafitis en la fachada del centro de salud.",
        (40.4175, -3.7020),
        "Calle de la Salud",
        Status.WAITING_RESIDENT,
    ),
]

#: cases opened earlier, so that the "at risk" and "overdue" queues have something to show:
#: (urn, name, category, text, address, how late: "at_risk" or "overdue")
LATE_CASES = [
    (
        "tel:+34655666777",
        "Luis Moreno",
        "trafico",
        "El semáforo del cruce de la avenida del Río con la calle Ancha no funciona.",
        "Avenida del Río",
        "at_risk",
    ),
    (
        "telegram:271828182",
        "Marta Vidal",
        "animales",
        "Hi ha rates al solar abandonat del carrer de l'Estació.",
        "Carrer de l'Estació",
        "overdue",
    ),
    (
        "whatsapp:34677888999",
        "Javier Ortega",
        "baches",
        "Una baldosa suelta en la acera de la plaza Mayor, ya se ha caído una persona mayor.",
        "Plaza Mayor",
        "overdue",
    ),
]

#: (language, title, text) of the demo's ready-made answers
CANNED_REPLIES = [
    (
        "es",
        "Gracias, lo revisamos",
        "Gracias por avisarnos. Hemos pasado el aviso al servicio correspondiente y le "
        "informaremos por aquí.",
    ),
    (
        "es",
        "Pedir una foto",
        "Para localizar el problema, ¿puede enviarnos una foto y la dirección exacta?",
    ),
    (
        "es",
        "Brigada en camino",
        "La brigada municipal irá en los próximos días. Le avisaremos cuando esté resuelto.",
    ),
    (
        "ca",
        "Gràcies, ho revisem",
        "Gràcies per avisar-nos. Hem passat l'avís al servei corresponent i us informarem per "
        "aquí.",
    ),
    (
        "ca",
        "Demanar una foto",
        "Per localitzar el problema, ens podeu enviar una foto i l'adreça exacta?",
    ),
    (
        "en",
        "Thanks, we are on it",
        "Thank you for letting us know. We have passed it to the right service and will keep "
        "you posted here.",
    ),
]


@transaction.atomic
def load_demo() -> tuple[Council, list[DemoAccount]]:
    """Create the demo council and everything in it, unless it is already there."""
    council, _ = Council.objects.get_or_create(slug=COUNCIL["slug"], defaults=COUNCIL)
    for date, name in HOLIDAYS_2026:
        Holiday.objects.get_or_create(council=council, date=date, defaults={"name": name})
    departments = {}
    for key, es, ca, en in DEPARTMENTS:
        departments[key], _ = Department.objects.get_or_create(
            council=council, name_es=es, defaults={"name_ca": ca, "name_en": en}
        )
    categories = {}
    for code, es, ca, en, dept, days, hours, public, keywords in CATEGORIES:
        categories[code], _ = Category.objects.get_or_create(
            council=council,
            code=code,
            defaults={
                "name_es": es,
                "name_ca": ca,
                "name_en": en,
                "department": departments[dept],
                "resolution_days": days,
                "first_response_hours": hours,
                "public_by_default": public,
                "keywords": keywords,
                "group": departments[dept].name_es,
            },
        )
    users = get_user_model().objects
    for account in ACCOUNTS:
        user = users.filter(username=account.username).first()
        if user is None:
            user = users.create_user(
                account.username,
                password=account.password,
                is_staff=account.role == Role.ADMINISTRATOR,
            )
            user.groups.add(Group.objects.get(name=account.role.value))
            staff = Staff.objects.create(user=user, council=council)
            staff.departments.set([departments[key] for key in account.departments])
    for language, title, text in CANNED_REPLIES:
        CannedReply.objects.get_or_create(
            council=council, language=language, title=title, defaults={"text": text}
        )
    # Alert topics, an office taking appointments and two crews, to try those flows at once.
    municipal_services.load_services(council)
    if not Case.objects.of(council).exists():
        _load_cases(council, categories)
        _load_late_cases(council, categories)
        _approve_public_summaries(council)
    history.load_history(council)  # a year of past cases for the statistics (idempotent)
    return council, ACCOUNTS


def _load_late_cases(council: Council, categories: dict[str, Category]) -> None:
    """Open cases earlier, so that one is near its deadline and others are past it."""
    now = timezone.now()
    margin = dt.timedelta(hours=settings.AT_RISK_MARGIN_HOURS)
    for urn, name, code, text, address, lateness in LATE_CASES:
        category = categories[code]
        opened = _opened_for(category, now=now, margin=margin, overdue=lateness == "overdue")
        citizen = find_or_create_citizen(council=council, urn=urn, name=name)
        case_services.open_case(
            category=category, description=text, citizen=citizen, address=address, opened_at=opened
        )


def _opened_for(
    category: Category, *, now: dt.datetime, margin: dt.timedelta, overdue: bool
) -> dt.datetime:
    """Return when a case of ``category`` was opened if it is now overdue, or at risk."""
    if overdue:
        return now - dt.timedelta(days=category.resolution_days * 3 + 7)
    # Walk back an hour at a time until the deadline falls in the at-risk window's first half.
    for hours in range(1, 24 * 60):
        opened = now - dt.timedelta(hours=hours)
        _, due = case_services.compute_due_dates(category=category, start=opened)
        if now + dt.timedelta(hours=1) <= due < now + margin / 2:
            return opened
    return now


def _approve_public_summaries(council: Council) -> None:
    """Approve the proposed public summaries, as staff would, so the portal has text."""
    for record in PublicRecord.objects.filter(case__council=council).select_related("case"):
        if record.summary_draft and record.case is not None:
            update_public_summary(case=record.case, text=record.summary_draft)


def _load_cases(council: Council, categories: dict[str, Category]) -> None:
    agent = get_user_model().objects.get(username="agente.urbanos")
    path = {
        Status.ASSIGNED: [],
        Status.IN_PROGRESS: [Status.IN_PROGRESS],
        Status.RESOLVED: [Status.IN_PROGRESS, Status.RESOLVED],
        Status.WAITING_RESIDENT: [Status.IN_PROGRESS, Status.WAITING_RESIDENT],
    }
    for urn, name, code, text, point, address, status in CASES:
        citizen = find_or_create_citizen(council=council, urn=urn, name=name)
        case = case_services.open_case(
            category=categories[code],
            description=text,
            citizen=citizen,
            latitude=point[0] if point else None,
            longitude=point[1] if point else None,
            address=address,
        )
        if status == Status.NEW:
            continue
        # The demo agent acts on their own department's cases; the others move by themselves.
        by = agent if case.department.staff.filter(user=agent).exists() else None
        if by is not None:
            case = case_services.assign_case(case=case, agent=agent, by=agent)
        elif status == Status.ASSIGNED:
            case = case_services.change_status(case=case, status=Status.ASSIGNED)
        for step in path[status]:
            if case.status != step:
                case = case_services.change_status(case=case, status=step, by=by)
