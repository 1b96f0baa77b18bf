"""Background work of delivery: sending a queued message, fetching a resident's media.

Tasks take ids, load the rows and call ``conversations.delivery`` (and the channel's
adapter and throttle); delivery state lives in the database, so a task that runs twice (or
finds its message already sent) does nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import random
import time
import uuid
from typing import Any

import httpx
import structlog
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from django_tasks.base import Task

from ventanilla.channels.adapters import UnknownProvider, adapter_for
from ventanilla.channels.adapters.base import (
    Attachment as InboundAttachment,
)
from ventanilla.channels.adapters.base import (
    Choice,
    KeepsMedia,
    Location,
    MalformedPayload,
    OutboundAttachment,
    OutboundMessage,
    PostRef,
    SendError,
    Template,
)
from ventanilla.channels.services import take_send_slot
from ventanilla.conversations import delivery
from ventanilla.conversations.models import SECRET_MASK, DeliveryStatus, Direction, Message
from ventanilla.core.crypto import decrypt_text
from ventanilla.privacy.redaction import redact

log = structlog.get_logger(__name__)

HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
#: retries of a failing send: 2 s, 4 s, 8 s ... (plus up to a quarter of jitter), at most
#: 10 minutes apart, then the message is marked failed
BACKOFF_BASE = 2.0
BACKOFF_CAP = 600.0
MAX_SEND_ATTEMPTS = 8
MAX_DOWNLOAD_ATTEMPTS = 5
#: a sending slot this close is waited for in the worker; a later one is re-enqueued
MAX_INLINE_WAIT = 0.25
#: a reserved slot missed by more than this (workers were down or busy) is taken again, so
#: that a backlog never goes out in one burst
LATE_TOLERANCE = 1.0
#: without a queue that can defer (the immediate backend of tests), wait at most this long
#: for a sending slot
MAX_WAIT_WITHOUT_DEFER = 5.0
IDEMPOTENCY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://ventanilla.example/outbound")


@functools.cache
def http_client() -> httpx.Client:
    """Return the process's HTTP client for provider APIs (connections are reused)."""
    return httpx.Client(timeout=HTTP_TIMEOUT)


def idempotency_key(message_id: int) -> str:
    """Return a UUID that is the same for every attempt to send this message."""
    return str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"message:{message_id}"))


def retry_delay(attempt: int, retry_after: float | None = None) -> float:
    """Return seconds to wait before attempt ``attempt + 1``: the provider's word, or backoff.

    The provider's word is capped at ``SEND_RETRY_AFTER_MAX`` seconds: a Retry-After of a
    day (or of NaN) must not park a resident's answer for a day.
    """
    if retry_after is not None and math.isfinite(retry_after):
        return min(max(0.0, retry_after), float(settings.SEND_RETRY_AFTER_MAX))
    raw = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
    jitter = random.uniform(0, raw / 4)  # noqa: S311 - spreads retries, not a secret
    return min(BACKOFF_CAP, raw + jitter)


# -- sending ---------------------------------------------------------------------------


@task(queue_name="send")
def send_message(message_id: int, slot: str = "") -> None:
    """Send one queued outbound message, within its channel's rate.

    ``slot`` is the sending time this message reserved when it was re-enqueued to wait for
    it; a first run (or a run that missed its slot) reserves one.
    """
    message = (
        Message.objects.select_related("channel", "conversation", "channel__council", "case")
        .filter(pk=message_id)
        .first()
    )
    if message is None or message.status != DeliveryStatus.QUEUED:
        return
    channel = message.channel
    if not channel.active:
        reason = _("The channel is switched off.")
        delivery.record_send_failure(
            message=message, error=SendError(reason, retryable=False, code="inactive")
        )
        return
    granted = _parse_slot(slot)
    if granted is None or (timezone.now() - granted).total_seconds() > LATE_TOLERANCE:
        granted = take_send_slot(channel=channel)
    wait = (granted - timezone.now()).total_seconds()
    if wait > MAX_INLINE_WAIT:
        _enqueue_later(send_message, granted, message.pk, slot=granted.isoformat(), wait=True)
        return
    if wait > 0:
        time.sleep(wait)
    attempt = delivery.claim_send_attempt(message=message)
    if attempt is None:
        return  # another worker is sending it
    try:
        adapter = adapter_for(channel)
        result = adapter.send(http_client(), outbound_for(message))
    except SendError as error:
        _send_failed(message, error, attempt)
        return
    except UnknownProvider:
        reason = _("No adapter sends messages for this provider.")
        _send_failed(message, SendError(reason, retryable=False, code="no_adapter"), attempt)
        return
    except Exception as exc:  # an adapter bug must not leave the message queued forever
        log.exception("send_unexpected_error", message=message.pk, channel=channel.pk)
        bug = SendError(f"unexpected error: {type(exc).__name__}", retryable=True, code="bug")
        _send_failed(message, bug, attempt)
        return
    delivery.record_sent(message=message, provider_message_id=result.provider_message_id)
    log.info("message_sent", message=message.pk, channel=channel.pk, attempt=attempt)


def _send_failed(message: Message, error: SendError, attempt: int) -> None:
    """Retry later when the provider allows it, else mark the message failed."""
    if error.retryable and attempt < MAX_SEND_ATTEMPTS:
        delay = retry_delay(attempt, error.retry_after)
        delivery.record_send_retry(message=message, error=error)
        log.info(
            "send_retry",
            message=message.pk,
            channel=message.channel_id,
            code=error.code,
            attempt=attempt,
            delay=round(delay, 3),
        )
        _enqueue_later(send_message, timezone.now() + dt.timedelta(seconds=delay), message.pk)
        return
    delivery.record_send_failure(message=message, error=error)
    log.warning(
        "send_failed",
        message=message.pk,
        channel=message.channel_id,
        code=error.code,
        attempt=attempt,
    )


def outbound_for(message: Message) -> OutboundMessage:
    """Build the normalised message an adapter sends from an outbound row.

    Raise a permanent SendError when the row's extras cannot be read.
    """
    payload: dict[str, Any] = message.payload or {}
    try:
        choices = tuple(
            Choice(id=str(item["id"]), label=str(item["label"]))
            for item in payload.get("choices") or ()
        )
        attachment = _attachment(payload.get("attachment"))
        location = _location(payload.get("location"))
        template = _template(payload.get("template"))
        reply_to = PostRef(**payload["reply_to"]) if payload.get("reply_to") else None
    except (KeyError, TypeError, ValueError, MalformedPayload) as exc:
        reason = _("The message's extras cannot be read (%(error)s).") % {"error": exc}
        raise SendError(reason, retryable=False, code="invalid") from None
    text = message.text
    if payload.get("secret"):  # a one-time code: only the resident reads it
        code = decrypt_text(str(payload["secret"]))
        text = text.replace(SECRET_MASK, code)
        if template is not None:  # a code template (WhatsApp outside the 24-hour window)
            parameters = tuple(value.replace(SECRET_MASK, code) for value in template.parameters)
            template = dataclasses.replace(template, parameters=parameters)
    subject, thread = _thread(message)
    return OutboundMessage(
        urn=message.conversation.urn,
        text=text,
        choices=choices,
        attachment=attachment,
        location=location,
        template=template,
        idempotency_key=idempotency_key(message.pk),
        reply_token=str(payload.get("reply_token") or ""),
        reference=message.case.reference if message.case is not None else "",
        subject=subject,
        in_reply_to=thread,
        reply_to=reply_to,
        private=bool(payload.get("private")),
    )


def _thread(message: Message) -> tuple[str, tuple[str, ...]]:
    """Return the subject and thread (its References and its own id) of the resident's
    last message before ``message``, for providers that thread replies (e-mail)."""
    last = (
        Message.objects.filter(
            conversation_id=message.conversation_id, direction=Direction.IN, pk__lt=message.pk
        )
        .exclude(provider_message_id="")
        .order_by("-pk")
        .values_list("provider_message_id", "payload")
        .first()
    )
    if last is None:
        return "", ()
    provider_id, extras = last
    extras = extras if isinstance(extras, dict) else {}
    earlier = [str(i) for i in extras.get("thread") or () if isinstance(i, str)]
    subject = str(extras.get("subject") or "")
    return subject, (*earlier[-19:], provider_id)


def _attachment(data: Any) -> OutboundAttachment | None:
    if not data:
        return None
    url = str(data["url"])
    if url.startswith("/"):  # our own media: the provider fetches it from the public URL
        url = settings.PUBLIC_URL + url
    return OutboundAttachment(
        url=url,
        content_type=str(data.get("content_type") or ""),
        filename=str(data.get("filename") or ""),
    )


def _location(data: Any) -> Location | None:
    if not data:
        return None
    return Location(
        latitude=float(data["latitude"]),
        longitude=float(data["longitude"]),
        name=str(data.get("name") or ""),
        address=str(data.get("address") or ""),
    )


def _template(data: Any) -> Template | None:
    if not data:
        return None
    return Template(
        name=str(data["name"]),
        language=str(data.get("language") or settings.LANGUAGE_CODE),
        parameters=tuple(str(value) for value in data.get("parameters") or ()),
    )


# -- media and callbacks ---------------------------------------------------------------


@task()
def download_media(message_id: int, attempt: int = 0) -> None:
    """Fetch each attachment of an inbound message that has no file yet, and store it."""
    message = Message.objects.select_related("channel").filter(pk=message_id).first()
    if message is None:
        return
    pending = list(message.attachments.filter(file=""))
    if not pending:
        return
    try:
        adapter = adapter_for(message.channel)
    except UnknownProvider:
        return
    retry = False
    for attachment in pending:
        try:
            data, content_type = adapter.download(http_client(), _wanted(attachment))
        except SendError as error:
            retry |= error.retryable
            log.warning(
                "media_download_failed",
                attachment=attachment.pk,
                code=error.code,
                # a provider's reason may quote the resident's number or file name
                reason=redact(error.reason),
            )
            continue
        except httpx.HTTPStatusError as error:
            retry |= error.response.status_code >= 500 or error.response.status_code == 429
            log.warning(
                "media_download_failed",
                attachment=attachment.pk,
                status=error.response.status_code,
            )
            continue
        except (httpx.HTTPError, KeyError, ValueError, TypeError) as error:
            retry = True
            log.warning(
                "media_download_failed", attachment=attachment.pk, error=type(error).__name__
            )
            continue
        delivery.store_attachment_file(attachment=attachment, data=data, content_type=content_type)
    if isinstance(adapter, KeepsMedia) and all(attachment.file for attachment in pending):
        adapter.forget_media([_wanted(attachment) for attachment in pending])
    if retry and attempt + 1 < MAX_DOWNLOAD_ATTEMPTS:
        run_after = timezone.now() + dt.timedelta(seconds=retry_delay(attempt + 1))
        _enqueue_later(download_media, run_after, message.pk, attempt=attempt + 1)


def _wanted(attachment: Any) -> InboundAttachment:
    return InboundAttachment(
        kind=attachment.kind,
        media_ref=attachment.media_ref,
        content_type=attachment.content_type,
        filename=attachment.filename,
        caption=attachment.caption,
    )


@task()
def answer_callback(message_id: int) -> None:
    """Answer a Telegram button press so the resident's app stops showing a spinner."""
    message = Message.objects.select_related("channel").filter(pk=message_id).first()
    callback_id = str((message.payload or {}).get("callback_id") or "") if message else ""
    if message is None or not callback_id:
        return
    try:
        answer = getattr(adapter_for(message.channel), "answer_callback", None)
    except UnknownProvider:
        return
    if answer is None:
        return
    try:
        answer(http_client(), callback_id)
    except SendError as error:
        log.info("callback_answer_failed", message=message.pk, code=error.code)


# -- queue helpers ---------------------------------------------------------------------


def _parse_slot(value: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        slot = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return slot if timezone.is_aware(slot) else None


def _enqueue_later(
    work: Task[Any, Any], run_after: dt.datetime, *args: Any, wait: bool = False, **kwargs: Any
) -> None:
    """Enqueue ``work`` to run at ``run_after``.

    A queue that cannot defer (the immediate backend of tests and development) runs it now
    after a short ``wait`` (a sending slot); a retry is then left for staff to see instead.
    """
    if work.get_backend().supports_defer:
        work.using(run_after=run_after).enqueue(*args, **kwargs)
        return
    delay = (run_after - timezone.now()).total_seconds()
    if not wait or delay > MAX_WAIT_WITHOUT_DEFER:
        log.warning("task_not_rescheduled", task=work.name, args=args, delay=round(delay, 1))
        return
    time.sleep(max(0.0, delay))
    work.enqueue(*args, **kwargs)
