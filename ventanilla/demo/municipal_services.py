"""The demo's alert topics, appointment office and crews, so every flow can be tried at once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ventanilla.appointments.models import Office, OpeningHours
from ventanilla.appointments.services import open_slots
from ventanilla.broadcasts.models import Topic
from ventanilla.broadcasts.services import create_topic
from ventanilla.cases.models import Department
from ventanilla.core.models import Council
from ventanilla.crews.models import Crew

#: (slug, es, ca, en, keywords)
TOPICS = [
    ("trafico", "Tráfico", "Trànsit", "Traffic", "trafico\ntransit\ntraffic"),
    ("agua", "Cortes de agua", "Talls d'aigua", "Water cuts", "agua\naigua\nwater"),
    ("proteccion", "Protección civil", "Protecció civil", "Civil protection", "emergencias"),
]
#: (name, department name in Spanish)
CREWS = [
    ("Brigada de alumbrado", "Servicios Urbanos"),
    ("Brigada de limpieza", "Medio Ambiente"),
]


def load_services(council: Council) -> None:
    """Create what is missing; running it again changes nothing."""
    for slug, es, ca, en, keywords in TOPICS:
        if not Topic.objects.filter(council=council, slug=slug).exists():
            create_topic(
                council=council, slug=slug, name_es=es, name_ca=ca, name_en=en, keywords=keywords
            )
    for name, department in CREWS:
        Crew.objects.get_or_create(
            council=council,
            name=name,
            defaults={"department": Department.objects.filter(
                council=council, name_es=department
            ).first()},
        )  # fmt: skip
    office, created = Office.objects.get_or_create(
        council=council,
        name="Oficina de Atención Ciudadana",
        defaults={
            "name_ca": "Oficina d'Atenció Ciutadana",
            "name_en": "Citizen Service Office",
            "address": "Plaza Mayor 1",
            "slot_minutes": 15,
        },
    )
    if created:
        for weekday in range(5):  # Monday to Friday, 9:00 to 14:00
            OpeningHours.objects.create(
                office=office, weekday=weekday, opens=dt.time(9), closes=dt.time(14)
            )
    open_slots(office=office, start=timezone.localdate(), days=14)
