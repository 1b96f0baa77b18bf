"""Keyword-only factories for inbox tests: channels, conversations, messages, sessions."""

from __future__ import annotations

import itertools
from typing import Any

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from ventanilla.cases.models import Case
from ventanilla.channels.models import Channel, Provider
from ventanilla.conversations.models import (
    Attachment,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from ventanilla.conversations.services import conversation_for
from ventanilla.core.models import Council, EncryptedTOTPDevice
from ventanilla.inbox.models import CannedReply

_seq = itertools.count(1)


def make_channel(*, council: Council, provider: str = Provider.TELEGRAM) -> Channel:
    return Channel.objects.create(
        council=council, provider=provider, name=f"{provider} {next(_seq)}"
    )


def make_urn(provider: str) -> str:
    n = next(_seq)
    return {
        "whatsapp": f"whatsapp:346{n:08d}",
        "twilio": f"tel:+346{n:08d}",
        "telegram": f"telegram:{100000 + n}",
        "line": f"line:U{n:032x}",
    }.get(provider, f"webchat:visitor-{n}")


def make_conversation(
    *, channel: Channel, urn: str | None = None, last_inbound_at: Any = "now"
) -> Conversation:
    urn = urn or make_urn(channel.provider)
    conversation = conversation_for(channel=channel, urn=urn)
    if last_inbound_at == "now":
        last_inbound_at = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=last_inbound_at)
    conversation.refresh_from_db()
    return conversation


def make_message(
    *,
    case: Case,
    conversation: Conversation,
    text: str = "Hola",
    direction: str = Direction.IN,
    status: str | None = None,
    **fields: Any,
) -> Message:
    if status is None:
        status = DeliveryStatus.RECEIVED if direction == Direction.IN else DeliveryStatus.SENT
    return Message.objects.create(
        council=case.council,
        conversation=conversation,
        channel=conversation.channel,
        case=case,
        direction=direction,
        text=text,
        status=status,
        **fields,
    )


def make_attachment(
    *, message: Message, kind: str = "image", content_type: str = "image/jpeg", **fields: Any
) -> Attachment:
    return Attachment.objects.create(
        message=message, kind=kind, content_type=content_type, **fields
    )


def make_canned_reply(*, council: Council, **fields: Any) -> CannedReply:
    n = next(_seq)
    return CannedReply.objects.create(
        council=council,
        title=fields.pop("title", f"Reply {n}"),
        text=fields.pop("text", f"Gracias por su aviso {n}."),
        **fields,
    )


def signed_in(user: Any, client: Client | None = None) -> Client:
    """Return a client signed in as ``user`` and verified with a TOTP device."""
    client = client or Client()
    device = EncryptedTOTPDevice.objects.filter(
        user=user
    ).first() or EncryptedTOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
