"""E-mail in: an SMTP listener behind the council's mail server, and the mailbox poller.

Both hand each raw message to ``deliver_mail``, which does for e-mail what the webhook view
does for the other providers: the channel's adapter reads it, ``inbound.receive`` stores it
(once per Message-ID and channel) and the dialog answers it after the commit. Mail for an
address no active e-mail channel receives is refused at ``RCPT TO`` with 550, before its
content is sent; a message over ``MAIL_MAX_BYTES`` is refused with 552.
"""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

import structlog
from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import close_old_connections

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import WebhookError
from ventanilla.channels.adapters.email import EmailAdapter
from ventanilla.channels.models import Channel
from ventanilla.channels.services import email_channel_for
from ventanilla.conversations import inbound

log = structlog.get_logger(__name__)


@dataclass
class Delivered:
    """What one message changed, per channel it was for: for logs and tests."""

    stored: list[int] = field(default_factory=list)
    duplicates: int = 0
    statuses: int = 0
    events: int = 0


def deliver_mail(raw: bytes, *, channels: list[Channel], mail_from: str | None = None) -> Delivered:
    """Store one raw message for each of ``channels``; raise WebhookError if unreadable."""
    delivered = Delivered()
    for channel in channels:
        adapter = adapter_for(channel)
        if not isinstance(adapter, EmailAdapter):
            continue
        parsed = adapter.read(raw, mail_from=mail_from)
        spool = adapter.spool(raw)
        kept = False
        if any(message.attachments for message in parsed.messages):
            if not default_storage.exists(spool):  # same bytes, same name: kept once
                default_storage.save(spool, ContentFile(raw))
                kept = True
        received = inbound.receive(channel=channel, parsed=parsed)
        if kept and not received.stored:  # a re-delivery: its attachments are stored already
            default_storage.delete(spool)
        delivered.stored += received.stored
        delivered.duplicates += received.duplicates
        delivered.statuses += received.statuses
        delivered.events += received.events
    return delivered


# -- SMTP ------------------------------------------------------------------------------


def _recipient_channel(address: str) -> int | None:
    close_old_connections()
    channel = email_channel_for(address)
    return channel.pk if channel is not None else None


def _deliver(raw: bytes, mail_from: str, channel_ids: list[int]) -> Delivered:
    close_old_connections()
    channels = list(
        Channel.objects.select_related("council").filter(pk__in=channel_ids, active=True)
    )
    return deliver_mail(raw, channels=channels, mail_from=mail_from)


class MailHandler:
    """aiosmtpd's handler: accept our channels' addresses, store each message once."""

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        channel_id = await sync_to_async(_recipient_channel)(address)
        if channel_id is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        channels = envelope.__dict__.setdefault("channel_ids", [])
        if channel_id not in channels:
            channels.append(channel_id)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        raw = envelope.original_content or envelope.content
        raw = raw if isinstance(raw, bytes) else str(raw).encode("utf-8", "surrogateescape")
        mail_from = "" if envelope.mail_from in ("", "<>") else str(envelope.mail_from or "")
        channel_ids = list(envelope.__dict__.get("channel_ids") or [])
        try:
            delivered = await sync_to_async(_deliver)(raw, mail_from, channel_ids)
        except WebhookError as error:
            log.info("mail_refused", reason=str(error))
            return "554 5.6.0 Message not readable"
        except Exception:
            log.exception("mail_not_stored")
            return "451 4.3.0 Not stored, please try again later"
        log.info(
            "mail_received",
            stored=len(delivered.stored),
            duplicates=delivered.duplicates,
            statuses=delivered.statuses,
            events=delivered.events,
        )
        return "250 2.0.0 Message accepted"


def start_gateway(*, host: str, port: int, max_bytes: int | None = None) -> Controller:
    """Start the SMTP listener in a thread of its own; return it (``.stop()`` ends it)."""
    # aiosmtpd logs every SMTP command at INFO, with the addresses in it: keep its warnings only
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(
        MailHandler(),
        hostname=host,
        port=port,
        data_size_limit=max_bytes or settings.MAIL_MAX_BYTES,
        ident="Ventanilla mail gateway",
    )
    controller.start()
    return controller


# -- IMAP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True


def poll_mailbox(*, mailbox: Mailbox, channel: Channel) -> Delivered:
    """Store the mailbox's unread messages for ``channel``, marking each one read once stored.

    A message that cannot be stored stays unread, for the next poll.
    """
    client_class = imaplib.IMAP4_SSL if mailbox.ssl else imaplib.IMAP4
    total = Delivered()
    with client_class(mailbox.host, mailbox.port) as client:
        client.login(mailbox.user, mailbox.password)
        client.select(mailbox.folder)
        _, found = client.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").split():
            _, data = client.uid("FETCH", uid, "(BODY.PEEK[])")  # type: ignore[arg-type]
            raw = next((item[1] for item in data if isinstance(item, tuple)), b"")
            if not raw:
                continue
            try:
                delivered = deliver_mail(raw, channels=[channel], mail_from=_return_path(raw))
            except WebhookError as error:  # it will never be readable: do not read it again
                log.info("mail_refused", reason=str(error), uid=uid.decode())
                client.uid("STORE", uid, "+FLAGS", "(\\Seen)")  # type: ignore[arg-type]
                continue
            total.stored += delivered.stored
            total.duplicates += delivered.duplicates
            total.statuses += delivered.statuses
            total.events += delivered.events
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")  # type: ignore[arg-type]
    return total


def _return_path(raw: bytes) -> str | None:
    """Return the envelope sender the delivering server recorded (Return-Path), if any."""
    head = raw.split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    for line in head.decode("utf-8", "replace").splitlines():
        if line.lower().startswith("return-path:"):
            return parseaddr(line.split(":", 1)[1])[1]
    return None
