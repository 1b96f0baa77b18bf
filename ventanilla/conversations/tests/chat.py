"""Play a resident in tests: send messages through ``record_inbound``, run the dialog, read
what the bot queued. Test data states only what each test needs."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from ventanilla.cases.models import Category, Department
from ventanilla.cases.tests.factories import make_category, make_council, make_department
from ventanilla.channels.adapters.base import Attachment, InboundMessage, Location
from ventanilla.channels.models import Channel
from ventanilla.citizens.models import Citizen
from ventanilla.conversations.models import Conversation, Direction, Message
from ventanilla.conversations.services import record_inbound
from ventanilla.conversations.tasks import handle_message
from ventanilla.core.models import Council

_ids = itertools.count(1)


@dataclass
class Town:
    council: Council
    urbanos: Department
    ambiente: Department
    atencion: Department
    alumbrado: Category
    residuos: Category
    baches: Category
    otros: Category


def make_town(**council_fields: Any) -> Town:
    """Return a council with three departments and four categories with keywords."""
    council = make_council(
        name=council_fields.pop("name", "Ayuntamiento de Villaverde"),
        data_controller=council_fields.pop(
            "data_controller", "Ayuntamiento de Villaverde, Plaza Mayor 1"
        ),
        privacy_policy_url=council_fields.pop(
            "privacy_policy_url", "https://villaverde.example.org/privacidad"
        ),
        retention_months=council_fields.pop("retention_months", 36),
        **council_fields,
    )
    urbanos = make_department(council=council, name="Servicios Urbanos")
    urbanos.name_ca, urbanos.name_en = "Serveis Urbans", "Urban Services"
    urbanos.save()
    ambiente = make_department(council=council, name="Medio Ambiente")
    atencion = make_department(council=council, name="Atención Ciudadana")
    alumbrado = make_category(
        council=council,
        department=urbanos,
        code="alumbrado",
        name_es="Alumbrado público",
        name_ca="Enllumenat públic",
        name_en="Street lighting",
        keywords="farola\nluz\nalumbrado\nfanal\nllum\nstreetlight\nlamp",
        resolution_days=5,
    )
    residuos = make_category(
        council=council,
        department=ambiente,
        code="residuos",
        name_es="Recogida de residuos",
        name_ca="Recollida de residus",
        name_en="Waste collection",
        keywords="basura\ncontenedor\nresiduos\nbrossa\ncontenidor\nrubbish\nbin",
    )
    baches = make_category(
        council=council,
        department=urbanos,
        code="baches",
        name_es="Baches y aceras",
        name_ca="Sots i voreres",
        name_en="Potholes and pavements",
        keywords="bache\nacera\nasfalto\nsot\nvorera\npothole",
    )
    otros = make_category(
        council=council,
        department=atencion,
        code="otros",
        name_es="Otros",
        name_ca="Altres",
        name_en="Other",
    )
    return Town(council, urbanos, ambiente, atencion, alumbrado, residuos, baches, otros)


def make_channel(council: Council, provider: str = "telegram") -> Channel:
    channel = Channel(
        council=council, provider=provider, name=provider, api_base="http://127.0.0.1:9"
    )
    channel.secrets = {"bot_token": "1:x", "secret_token": "s"}
    channel.save()
    return channel


URNS = {
    "telegram": "telegram:{n}",
    "twilio": "tel:+3460011{n:04d}",
    "whatsapp": "whatsapp:3460022{n:04d}",
    "line": "line:U{n:032x}",
}


class Resident:
    """One resident writing to the council on ``channel``."""

    def __init__(self, channel: Channel, *, urn: str = "", language_hint: str = "", name: str = ""):
        self.channel = channel
        self.urn = urn or URNS[channel.provider].format(n=next(_ids) + 1000)
        self.language_hint = language_hint
        self.name = name
        self.last_replies: list[Message] = []

    def send(
        self,
        text: str = "",
        *,
        choice: str = "",
        photos: int = 0,
        location: tuple[float, float] | None = None,
        address: str = "",
        run: bool = True,
    ) -> list[Message]:
        """Send a message as the resident; return the bot's replies to it."""
        n = next(_ids)
        inbound = InboundMessage(
            provider_message_id=f"in-{n}",
            urn=self.urn,
            text=text,
            choice=choice,
            attachments=tuple(
                Attachment(kind="image", media_ref=f"photo-{n}-{i}", content_type="image/jpeg")
                for i in range(photos)
            ),
            location=Location(location[0], location[1], address=address) if location else None,
            contact_name=self.name,
            language_hint=self.language_hint,
        )
        message = record_inbound(channel=self.channel, inbound=inbound)
        assert message is not None
        self.message = message
        if run:
            handle_message.call(message.pk)
            message.refresh_from_db()
        self.last_replies = self.outbox(after=message.pk)
        return self.last_replies

    def tap(self, label_or_id: str) -> list[Message]:
        """Tap one of the choices the bot offered last (by label or id)."""
        for choice in self.offered():
            if label_or_id in (choice["id"], choice["label"]):
                return self.send(choice["label"], choice=choice["id"])
        raise AssertionError(f"{label_or_id!r} not offered: {self.offered()}")

    def offered(self) -> list[dict[str, str]]:
        for message in reversed(self.outbox()):
            if message.payload.get("choices"):
                return list(message.payload["choices"])
        return []

    def outbox(self, after: int = 0) -> list[Message]:
        return list(
            Message.objects.filter(
                conversation__urn=self.conversation_urn, direction=Direction.OUT, pk__gt=after
            ).order_by("pk")
        )

    @property
    def conversation_urn(self) -> str:
        from ventanilla.citizens.urns import normalise_urn

        return normalise_urn(self.urn)

    @property
    def conversation(self) -> Conversation:
        return Conversation.objects.get(channel=self.channel, urn=self.conversation_urn)

    @property
    def citizen(self) -> Citizen:
        return self.conversation.citizen

    @property
    def state(self) -> dict[str, Any]:
        return self.conversation.state

    def accept_notice(self, text: str = "Hola") -> None:
        """Write once and accept the privacy notice: the resident is past first contact."""
        self.send(text)
        self.tap("consent:yes")


def texts(messages: list[Message]) -> str:
    return "\n---\n".join(m.text for m in messages)


def labels(message: Message) -> list[str]:
    return [c["label"] for c in message.payload.get("choices", [])]


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    import zoneinfo

    return dt.datetime(year, month, day, hour, minute, tzinfo=zoneinfo.ZoneInfo("Europe/Madrid"))
