"""The web chat: residents write on the council's own pages, with no outside provider.

Its wire format is ours: the fields the chat page posts (``parse_post``) and the JSON the
page reads from its event stream (built by the ``webchat`` app). There is no webhook to
verify and no provider API to call: ``send`` only gives the message its id (the browser
fetches it from its stream, which then marks it delivered), and a photo arrives with the
message that carries it, so nothing is ever downloaded.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import ClassVar

import httpx

from ventanilla.channels.adapters.base import (
    Attachment,
    ChannelConfig,
    HandshakeResponse,
    InboundMessage,
    Location,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SendResult,
    SignatureError,
    WebhookRequest,
)
from ventanilla.citizens.urns import Scheme

#: the browser's own id for each message it posts (a UUID or similar): the idempotency key
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_TEXT = 4000
#: the image types the chat takes, by their first bytes (the browser's word is not trusted)
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
WEBP = (b"RIFF", b"WEBP")


def image_type(head: bytes) -> str:
    """Return the content type of an image from its first bytes; "" if it is not one we take."""
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    if head[:4] == WEBP[0] and head[8:12] == WEBP[1]:
        return "image/webp"
    return ""


def _coordinate(value: str, limit: float) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


class WebChatAdapter:
    """The web chat as the registry, ``Channel`` and the send task see it."""

    code: ClassVar[str] = "webchat"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.WEBCHAT,)
    required_secrets: ClassVar[tuple[str, ...]] = ()
    default_api_base: ClassVar[str] = ""
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset({"text", "latitude", "longitude"})

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config

    # -- in: the chat page's post ------------------------------------------------------

    @staticmethod
    def parse_post(
        *,
        urn: str,
        fields: Mapping[str, str],
        photo_type: str = "",
        language: str = "",
    ) -> InboundMessage:
        """Translate the fields the chat page posts into a resident's message.

        ``client_id`` (required) is the browser's id for the message; ``text``, ``choice``,
        ``latitude`` and ``longitude`` are optional, but a message says something. A photo
        comes with the post, already checked (``photo_type``, from its first bytes): its
        bytes are stored with the message, so it has no media reference to download.
        Raise MalformedPayload on anything else.
        """
        client_id = fields.get("client_id", "")
        if not CLIENT_ID.match(client_id):
            raise MalformedPayload("bad client id")
        text = fields.get("text", "").strip()
        if len(text) > MAX_TEXT:
            raise MalformedPayload("text too long")
        choice = fields.get("choice", "").strip()[:200]
        location = None
        raw_lat, raw_lon = fields.get("latitude", ""), fields.get("longitude", "")
        if raw_lat or raw_lon:
            latitude, longitude = _coordinate(raw_lat, 90), _coordinate(raw_lon, 180)
            if latitude is None or longitude is None:
                raise MalformedPayload("bad location")
            location = Location(latitude=latitude, longitude=longitude)
        attachments: tuple[Attachment, ...] = ()
        if photo_type:
            attachments = (Attachment(kind="image", media_ref="", content_type=photo_type),)
        if not (text or choice or location or attachments):
            raise MalformedPayload("empty message")
        return InboundMessage(
            # the browser's id, within its resident: one visitor cannot take another's ids
            provider_message_id=f"{urn}/{client_id}",
            urn=urn,
            text=text,
            choice=choice,
            location=location,
            attachments=attachments,
            language_hint=language,
        )

    # -- the adapter protocol ----------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        return HandshakeResponse(status=405, body="")

    def verify(self, request: WebhookRequest) -> None:
        raise SignatureError("the web chat has no webhook")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        raise MalformedPayload("the web chat has no webhook")

    def acknowledge(self) -> tuple[int, str, str]:
        return 200, "text/plain", ""

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Give the message its id: the resident's page picks it up from its stream."""
        if not message.urn.startswith(f"{Scheme.WEBCHAT}:"):
            raise SendError("not a web chat resident", retryable=False, code="bad_urn")
        if not message.idempotency_key:
            raise SendError("no message key", retryable=False, code="no_key")
        return SendResult(provider_message_id=f"webchat-out-{message.idempotency_key}")

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Never needed: a photo is stored with the message that brings it."""
        raise SendError("web chat files arrive with their message", retryable=False)


#: the registry's earlier name for the web chat's class
WebChatProvider = WebChatAdapter
