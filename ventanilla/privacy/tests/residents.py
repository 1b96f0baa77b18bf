"""A resident with a full history (messages, a photo, cases, a support); every table searched."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, Role
from ventanilla.cases.tests.factories import make_staff
from ventanilla.cases.workflow import Status
from ventanilla.conversations.models import Attachment
from ventanilla.conversations.services import attach_messages_to_case, queue_outbound
from ventanilla.conversations.tests.chat import Resident, Town, make_channel, make_town
from ventanilla.portal import services as portal_services
from ventanilla.portal.models import PublicRecord

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField, models.FileField)
PHONE = "34600271828"
NAME = "Remedios Villalobos Quintana"
#: words only this resident wrote
TEXT = "parpadea junto al portal de mi suegra"


@dataclass
class History:
    town: Town
    resident: Resident
    case: Case
    other_case: Case
    staff: Any
    other_staff: Any


def resident_with_history() -> History:
    """Return a town whose resident reported, sent a photo, was answered and supported a case."""
    town = make_town()
    staff = make_staff(council=town.council, role=Role.SUPERVISOR, username="sara")
    other_staff = make_staff(council=town.council, role=Role.ADMINISTRATOR, username="alberto")
    channel = make_channel(town.council, "whatsapp")
    resident = Resident(channel, urn=f"whatsapp:{PHONE}", name=NAME)
    resident.accept_notice()
    first = resident.send(f"La farola {TEXT}, en la calle Mayor 3", run=False)
    photo = resident.send("", photos=1, run=False)
    attachment = Attachment.objects.get(message=resident.message)
    attachment.file.save("remedios.jpg", ContentFile(b"\xff\xd8 jpeg"), save=True)
    case = case_services.open_case(
        category=town.alumbrado,
        description=f"La farola {TEXT}, en la calle Mayor 3. Tel. {PHONE}",
        citizen=resident.citizen,
        channel=channel,
        latitude=40.41678,
        longitude=-3.70379,
        address="Calle Mayor 3, 2º B",
    )
    attach_messages_to_case(case=case, messages=[resident.message.pk, *_ids(first, photo)])
    queue_outbound(
        conversation=resident.conversation,
        text=f"Hola {NAME.split()[0]}, ya lo hemos pasado a Servicios Urbanos.",
        case=case,
        author=staff,
    )
    case_services.add_note(case=case, author=staff, text=f"Llamó {NAME}, el {PHONE}.")
    portal_services.publish_case(case=case, by=staff)
    portal_services.update_public_summary(
        case=case, text="Farola que parpadea en la calle Mayor.", by=staff
    )
    case_services.change_status(case=case, status=Status.IN_PROGRESS, by=staff)
    case_services.change_status(case=case, status=Status.RESOLVED, by=staff)
    case_services.record_satisfaction(case=case, score=4, comment=f"Gracias, {TEXT} ya no")
    other_case = case_services.open_case(
        category=town.alumbrado, description="Farola apagada en la plaza", citizen=None
    )
    portal_services.publish_case(case=other_case, by=staff)
    portal_services.support_from_chat(
        council=town.council, citizen=resident.citizen, reference=other_case.reference
    )
    return History(town, resident, case, other_case, staff, other_staff)


def _ids(*batches: list[Any]) -> list[int]:
    return [m.pk for batch in batches for m in batch if m.direction == "in"]


def needles() -> list[str]:
    return [PHONE, PHONE[2:], *NAME.split(), TEXT, "remedios.jpg"]


def traces(found_in: list[str] | None = None) -> list[str]:
    """Return "app.Model.field: needle" for each needle found in any text column of any table."""
    hits = []
    wanted = [n.casefold() for n in needles()]
    for model in apps.get_models():
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(
                f, models.CharField | models.TextField | models.JSONField | models.FileField
            )
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for name, value in zip(fields, row, strict=True):
                if value in (None, ""):
                    continue
                text = (
                    value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                ).casefold()
                for needle in wanted:
                    if needle in text:
                        hits.append(f"{model._meta.label}.{name}: {needle}")
    return hits


def every_text_column_count() -> int:
    return sum(
        1
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    )


def public_record(case: Case) -> PublicRecord:
    return PublicRecord.objects.get(reference=case.reference, council=case.council)


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
