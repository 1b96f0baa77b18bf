"""Keyword-only factories for the public record: each test states only what it needs."""

from __future__ import annotations

import io
import itertools
from typing import Any

from django.core.files.base import ContentFile
from PIL import Image

from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case, Category
from ventanilla.cases.tests.factories import make_category
from ventanilla.cases.workflow import Status
from ventanilla.channels.models import Channel
from ventanilla.citizens.services import find_or_create_citizen
from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from ventanilla.core.models import Council
from ventanilla.portal.models import PublicRecord

_phones = itertools.count(100001)

#: the way a case gets to each status through the workflow
PATHS = {
    Status.NEW: [],
    Status.ASSIGNED: [Status.ASSIGNED],
    Status.IN_PROGRESS: [Status.IN_PROGRESS],
    Status.RESOLVED: [Status.IN_PROGRESS, Status.RESOLVED],
    Status.CLOSED: [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
    Status.REJECTED: [Status.REJECTED],
    Status.DUPLICATE: [Status.DUPLICATE],
}


def make_public_category(*, council: Council, **fields: Any) -> Category:
    return make_category(council=council, public_by_default=True, **fields)


def make_private_category(*, council: Council, **fields: Any) -> Category:
    return make_category(council=council, public_by_default=False, **fields)


def new_urn() -> str:
    return f"tel:+34600{next(_phones):06d}"


def open_case(
    *,
    category: Category,
    description: str = "Farola apagada en la calle Mayor",
    name: str = "",
    urn: str | None = None,
    status: Status = Status.NEW,
    **fields: Any,
) -> Case:
    """Open a case through the real service (so it is published if public) and move it."""
    citizen = None
    if name or urn:
        citizen = find_or_create_citizen(council=category.council, urn=urn or new_urn(), name=name)
    case = case_services.open_case(
        category=category, description=description, citizen=citizen, **fields
    )
    for step in PATHS[status]:
        case = case_services.change_status(case=case, status=step)
    return case


def record_of(case: Case) -> PublicRecord:
    return PublicRecord.objects.get(case=case)


def jpeg_with_gps() -> bytes:
    """Return a small JPEG whose EXIF says where it was taken (as phone photos do)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (40.0, 25.0, 1.0)
    gps[3] = "W"
    gps[4] = (3.0, 42.0, 12.0)
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def message_with_photo(
    *, case: Case, text: str = "Mirad la foto", data: bytes | None = None
) -> Attachment:
    """Record a resident's message with one photo attached, on ``case``."""
    council = case.council
    channel = Channel.objects.filter(council=council).first() or Channel.objects.create(
        council=council, provider="webchat", name="Web"
    )
    citizen = case.citizen or find_or_create_citizen(council=council, urn=new_urn())
    identity = citizen.identities.first()
    conversation, _ = Conversation.objects.get_or_create(
        channel=channel, urn=identity.urn, defaults={"council": council, "citizen": citizen}
    )
    message = Message.objects.create(
        council=council,
        conversation=conversation,
        channel=channel,
        case=case,
        direction=Direction.IN,
        text=text,
        status=DeliveryStatus.RECEIVED,
    )
    attachment = Attachment(
        message=message, kind="image", content_type="image/jpeg", filename="IMG_Lucia_casa.jpg"
    )
    attachment.file.save("IMG_Lucia_casa.jpg", ContentFile(data or jpeg_with_gps()))
    return attachment
