"""E-mail: messages in through the mail gateway (SMTP) or a polled mailbox, out through
Django's e-mail backend (``EMAIL_HOST`` and friends).

Residents are ``mailto:<address>``. E-mail has no webhook: the gateway hands each raw
message to ``read``. A message we send carries a Message-ID we make (stable across
retries: it is the provider id we store), the resident's thread in In-Reply-To and
References, and the case's reference in the subject ("[2026-000123] Re: Farola"), so that
their answer finds its case again. Choices go out as numbered lines, as by SMS.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import uuid
from email.utils import formataddr
from typing import ClassVar

import httpx
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage, get_connection

from ventanilla.channels.adapters.base import (
    Attachment,
    ChannelConfig,
    ChannelEvent,
    HandshakeResponse,
    MalformedPayload,
    OutboundMessage,
    ParsedWebhook,
    SendError,
    SendResult,
    SignatureError,
    WebhookRequest,
)
from ventanilla.channels.adapters.email.reading import (
    attachment_part,
    clean_subject,
    read_mail,
    spool_name,
)
from ventanilla.citizens.urns import Scheme

#: how long a send may wait for the mail server
SMTP_TIMEOUT = 30


class EmailAdapter:
    """Translate e-mail in and out. ``options["address"]`` is the address residents write to."""

    code: ClassVar[str] = "email"
    urn_schemes: ClassVar[tuple[str, ...]] = (Scheme.MAILTO,)
    #: the mail server's account is the installation's (``EMAIL_HOST_USER``), not a channel's
    required_secrets: ClassVar[tuple[str, ...]] = ()
    default_api_base: ClassVar[str] = ""
    free_form_window: ClassVar[dt.timedelta | None] = None
    segmented_schemes: ClassVar[frozenset[str]] = frozenset()
    redact_keys: ClassVar[frozenset[str]] = frozenset(
        {"password", "EMAIL_HOST_PASSWORD", "Authorization"}
        | {"From", "To", "Cc", "Reply-To", "Return-Path", "Subject", "Sender"}
    )

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config
        self.address = str(config.options.get("address") or "")
        self.display_name = str(config.options.get("display_name") or "")

    # -- webhooks: e-mail has none -----------------------------------------------------

    def handshake(self, request: WebhookRequest) -> HandshakeResponse:
        return HandshakeResponse(405, "Method Not Allowed")

    def verify(self, request: WebhookRequest) -> None:
        """Refuse every webhook: e-mail arrives through the mail gateway."""
        raise SignatureError("e-mail arrives through the mail gateway, not a webhook")

    def parse(self, request: WebhookRequest) -> ParsedWebhook:
        raise MalformedPayload("e-mail arrives through the mail gateway, not a webhook")

    def acknowledge(self) -> tuple[int, str, str]:
        return 200, "text/plain", ""

    # -- in ----------------------------------------------------------------------------

    def read(self, raw: bytes, *, mail_from: str | None = None) -> ParsedWebhook:
        """Translate one raw message; its attachments point into ``spool(raw)``.

        Mail from the channel's own address (a loop through the council's mail server) is
        an event, never a resident's message that the bot would answer, again and again.
        """
        parsed = read_mail(raw, mail_from=mail_from, spool=self.spool(raw))
        own = f"{Scheme.MAILTO}:{self.address.lower()}"
        for message in [m for m in parsed.messages if m.urn == own]:
            parsed.messages.remove(message)
            parsed.events.append(
                ChannelEvent(
                    kind="unsupported",
                    name="own_address",
                    provider_event_id=message.provider_message_id,
                )
            )
        return parsed

    def spool(self, raw: bytes) -> str:
        """Return the storage name the raw message is kept under for its attachments."""
        return spool_name(raw, channel_id=self.config.channel_id)

    def download(self, client: httpx.Client, attachment: Attachment) -> tuple[bytes, str]:
        """Return one attachment's bytes, read from the kept raw message."""
        name, _, index = attachment.media_ref.rpartition("#")
        if not name.startswith("mail/") or not index.isdigit():
            raise SendError("not an e-mail attachment", retryable=False, code="bad_ref")
        try:
            with default_storage.open(name, "rb") as spooled:
                raw = spooled.read()
            data, content_type = attachment_part(raw, int(index))
        except (OSError, KeyError) as exc:
            raise SendError("the message is no longer kept", retryable=False) from exc
        return data, attachment.content_type or content_type

    def forget_media(self, attachments: list[Attachment]) -> None:
        """Delete the kept raw message once its attachments are stored as files."""
        for name in {a.media_ref.rpartition("#")[0] for a in attachments}:
            if name.startswith("mail/"):
                default_storage.delete(name)

    # -- out ---------------------------------------------------------------------------

    def send(self, client: httpx.Client, message: OutboundMessage) -> SendResult:
        """Hand one message to the mail server; it is "sent" once the server accepts it."""
        scheme, _, to = message.urn.partition(":")
        if scheme != Scheme.MAILTO or "@" not in to:
            raise SendError(f"not a mailto URN: {scheme}", retryable=False)
        if "@" not in self.address:
            raise SendError("the channel has no address", retryable=False, code="config")
        body = _body(message)
        if not body:
            raise SendError("nothing to send", retryable=False)
        domain = self.address.rpartition("@")[2]
        message_id = f"<{message.idempotency_key or uuid.uuid4()}@{domain}>"
        headers = {"Message-ID": message_id}
        if message.in_reply_to:
            headers["In-Reply-To"] = message.in_reply_to[-1]
            headers["References"] = " ".join(message.in_reply_to[-20:])
        sender = formataddr((self.display_name, self.address)) if self.display_name else ""
        mail = EmailMessage(
            subject=compose_subject(message, default=self.display_name),
            body=body,
            from_email=sender or self.address,
            to=[to],
            headers=headers,
            connection=get_connection(fail_silently=False, timeout=SMTP_TIMEOUT),
        )
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            final = all(code >= 500 for code in codes)
            raise SendError(
                f"recipient refused: {codes}",
                retryable=not final,
                code=str(codes[0] if codes else ""),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            reason = f"{exc.smtp_code} {exc.smtp_error!r}"
            raise SendError(reason, retryable=exc.smtp_code < 500, code=str(exc.smtp_code)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            reason = f"mail server unreachable: {type(exc).__name__}"
            raise SendError(reason, retryable=True, code="smtp") from exc
        return SendResult(provider_message_id=message_id)


def compose_subject(message: OutboundMessage, *, default: str = "") -> str:
    """Return "[2026-000123] Re: <the resident's subject>", each part when there is one."""
    topic = clean_subject(message.subject)
    parts = []
    if message.reference:
        parts.append(f"[{message.reference}]")
    if topic:
        parts.append(f"Re: {topic}" if message.in_reply_to else topic)
    elif not message.reference and default:
        parts.append(default)
    return " ".join(parts)


def _body(message: OutboundMessage) -> str:
    """Return the text, a link for a file or a place, and the choices as numbered lines."""
    parts = [message.text]
    if message.attachment is not None:
        parts.append(message.attachment.url)
    if message.location is not None:
        place = message.location
        parts += [place.name, place.address]
        parts.append(f"https://www.openstreetmap.org/?mlat={place.latitude}&mlon={place.longitude}")
    if message.choices:
        parts.append("\n".join(f"{n}. {c.label}" for n, c in enumerate(message.choices, 1)))
    return "\n\n".join(part for part in parts if part)
