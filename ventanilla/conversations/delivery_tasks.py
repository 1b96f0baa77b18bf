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
import ssl
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

import httpx
import structlog
from django.conf import settings
from django.db import transaction
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
    SendResult,
    Template,
)
from ventanilla.channels.models import Channel, Provider
from ventanilla.channels.services import (
    dispatcher_alive,
    dispatcher_done,
    give_back_send_tokens,
    pause_sending,
    sending_recovered,
    take_send_tokens,
    want_dispatcher,
)
from ventanilla.conversations import delivery
from ventanilla.conversations.delivery import (
    channels_with_due_messages,
    claim_due,
    due_messages,
    next_due_at,
)
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
#: a dispatcher waits this long for its channel's next token in the worker; a longer pause
#: (a provider's Retry-After, a backoff) is handed over to a later run
MAX_INLINE_WAIT = 1.0
#: while a batch is being sent, what came back is recorded this often (seconds)
RECORD_EVERY = 0.1
#: without a queue that can defer (the immediate backend of tests), wait at most this long
#: before running deferred work now
MAX_WAIT_WITHOUT_DEFER = 5.0
#: the subject and thread of a message that answers no e-mail
NO_THREAD: tuple[str, tuple[str, ...]] = ("", ())
IDEMPOTENCY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://ventanilla.example/outbound")


#: each thread's HTTP client (see ``http_client``)
_clients = threading.local()
#: the idle connections a thread's client keeps: one per provider host it sends to
HOSTS_KEPT_ALIVE = 8


@functools.cache
def _tls() -> ssl.SSLContext:
    """Return the SSL context every client shares (building one costs tens of milliseconds)."""
    return httpx.create_ssl_context()


def http_client() -> httpx.Client:
    """Return this thread's HTTP client for provider APIs (its connections are kept alive).

    One client per thread, not one shared: a thread sends one request at a time, so its
    client needs one connection per provider host, and httpcore's pool looks at all its
    connections for each request (with 32 sending threads sharing one client, that look
    took a fifth of a sending worker's time).
    """
    client: httpx.Client | None = getattr(_clients, "client", None)
    if client is None:
        limits = httpx.Limits(
            max_connections=HOSTS_KEPT_ALIVE, max_keepalive_connections=HOSTS_KEPT_ALIVE
        )
        client = httpx.Client(timeout=HTTP_TIMEOUT, limits=limits, verify=_tls())
        _clients.client = client
    return client


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
#
# One dispatcher task per channel (two on a busy channel, ``SEND_DISPATCHERS_PER_CHANNEL``)
# claims the channel's due messages in batches, replies to residents before bulk, as many as
# the channel's token bucket allows; sends them concurrently over kept-alive connections;
# records the results in bulk; and goes on for a few seconds before handing over to a fresh
# run of itself. A message queued wakes a dispatcher once its transaction commits, unless one
# already runs. Delivery state lives in the message rows: a worker killed mid-send leaves its
# claimed messages to be claimed again when their lease runs out (same idempotency key).


class Outcome:
    """What a batch of sends came to, for recording in bulk."""

    def __init__(self) -> None:
        self.sent: list[tuple[Message, str]] = []
        self.retries: list[tuple[Message, SendError, dt.datetime]] = []
        self.failed: list[tuple[Message, SendError]] = []
        #: not tried: an earlier message to the same resident waits for its retry
        self.held: list[Message] = []
        self.retry_after: float | None = None

    def absorb(self, other: Outcome) -> None:
        """Add another part of the batch (already recorded) to this one."""
        self.sent += other.sent
        self.retries += other.retries
        self.failed += other.failed
        self.held += other.held
        if other.retry_after is not None:
            self.retry_after = max(self.retry_after or 0.0, other.retry_after)


@task(queue_name="send")
def dispatch_channel(channel_id: int) -> None:
    """Send the channel's due messages in batches for ``SEND_RUN_SECONDS`` at most."""
    channel = Channel.objects.select_related("council").filter(pk=channel_id).first()
    if channel is None:
        return
    deadline = time.monotonic() + float(settings.SEND_RUN_SECONDS)
    lease = dt.timedelta(seconds=float(settings.SEND_LEASE_SECONDS))
    batch = max(1, int(settings.SEND_BATCH))
    spread = False
    while True:
        if not channel.active:
            _fail_inactive(channel, batch, lease)
            _end_run(channel)
            return
        else:
            with transaction.atomic():
                grant = take_send_tokens(channel=channel, wanted=batch)
                messages = claim_due(channel=channel, limit=grant.count, lease=lease)
                give_back_send_tokens(channel=channel, count=grant.count - len(messages))
            if messages:
                if len(messages) == batch and not spread:
                    spread = True  # a backlog: another worker may help
                    if want_dispatcher(
                        channel_id=channel.pk, most=int(settings.SEND_DISPATCHERS_PER_CHANNEL)
                    ):
                        dispatch_channel.enqueue(channel.pk)
                _send_batch(channel, messages, grant.failures)
            elif grant.count == 0 and grant.wait > 0:
                # the bucket is empty or the provider asked us to slow down
                left = deadline - time.monotonic()
                if grant.wait <= min(left, MAX_INLINE_WAIT):
                    time.sleep(grant.wait)
                    continue
                if not due_messages(channel_id=channel.pk, now=timezone.now()).exists():
                    _end_run(channel)
                    return
                resume = timezone.now() + dt.timedelta(seconds=grant.wait)
                _hand_over(channel, resume)
                return
            else:
                _end_run(channel)
                return
        if time.monotonic() >= deadline:
            _hand_over(channel, timezone.now())
            return


def _hand_over(channel: Channel, run_after: dt.datetime) -> None:
    """Go on in a fresh run of the dispatcher (other tasks get the worker in between)."""
    if dispatch_channel.get_backend().supports_defer:
        dispatcher_alive(channel_id=channel.pk, until=run_after)
        dispatch_channel.using(run_after=run_after).enqueue(channel.pk)
        return
    if run_after <= timezone.now():
        dispatch_channel.enqueue(channel.pk)
        return
    dispatcher_done(channel_id=channel.pk)
    log.warning("dispatcher_not_rescheduled", channel=channel.pk, until=run_after.isoformat())


def _end_run(channel: Channel) -> None:
    """Stop: nothing is due. Wake a run for messages due later or queued just now."""
    dispatcher_done(channel_id=channel.pk)
    # A message committed after our last claim found no dispatcher counted: start one.
    if due_messages(channel_id=channel.pk, now=timezone.now()).exists():
        wake_dispatcher(channel.pk, beside_others=True)
        return
    later = next_due_at(channel_id=channel.pk)
    if later is not None:
        _enqueue_later(wake_channel, max(later, timezone.now()), channel.pk)


def wake_dispatcher(channel_id: int, *, beside_others: bool = False) -> None:
    """Make sure a dispatcher runs for the channel (enqueue one unless one runs).

    ``beside_others``: work is due that the dispatchers counted may not see (one of them may
    have died with its worker): start one unless the channel has its most already.
    """
    most = int(settings.SEND_DISPATCHERS_PER_CHANNEL) if beside_others else 1
    if want_dispatcher(channel_id=channel_id, most=max(1, most)):
        dispatch_channel.enqueue(channel_id)


#: channels whose wakes ``wakes_held`` keeps for the end of its block
_held_wakes: ContextVar[set[int] | None] = ContextVar("held_wakes", default=None)


@contextmanager
def wakes_held() -> Iterator[None]:
    """Keep the dispatcher wakes of the transactions in this block; give them at its end.

    For a worker that answers a batch's conversations one short transaction each: each
    commit would wake the channel (a write to its throttle row), where one wake a channel
    serves them all. Only wakes of committed transactions are kept.
    """
    held: set[int] = set()
    token = _held_wakes.set(held)
    try:
        yield
    finally:
        _held_wakes.reset(token)
        for channel_id in sorted(held):
            wake_dispatcher(channel_id)


def wake_on_commit(channel_id: int) -> None:
    """Wake the channel's dispatcher once the current transaction commits (once per channel).

    A thousand messages queued in one transaction register one wake: every message is
    committed before it runs, so one dispatcher sees them all.
    """
    held = _held_wakes.get()
    if held is not None:
        transaction.on_commit(partial(held.add, channel_id))
        return
    connection = transaction.get_connection()
    callbacks = getattr(connection, "run_on_commit", None)
    if not connection.in_atomic_block or callbacks is None:
        transaction.on_commit(partial(wake_dispatcher, channel_id))
        return
    registered: dict[int, tuple[int, Any]] = connection.__dict__.setdefault("_send_wakes", {})
    seen = registered.get(channel_id)
    if seen is not None:
        index, callback = seen
        if index < len(callbacks) and callbacks[index][1] is callback:
            return  # already registered in this transaction (and not rolled back)

    def wake() -> None:
        registered.pop(channel_id, None)
        wake_dispatcher(channel_id)

    transaction.on_commit(wake)
    registered[channel_id] = (len(callbacks) - 1, wake)


@task(queue_name="send")
def wake_channel(channel_id: int) -> None:
    """Wake the channel's dispatcher: a retry or a lease has come due."""
    wake_dispatcher(channel_id, beside_others=True)


@task(queue_name="send")
def wake_stuck_dispatchers() -> None:
    """Wake the dispatchers of channels with due messages: a stuck row never stays stuck."""
    for channel_id in channels_with_due_messages():
        wake_dispatcher(channel_id, beside_others=True)


@task(queue_name="send")
def send_message(message_id: int, slot: str = "") -> None:
    """Make sure the message's channel has a dispatcher (tasks queued by older versions)."""
    channel_id = (
        Message.objects.filter(pk=message_id, status=DeliveryStatus.QUEUED)
        .values_list("channel_id", flat=True)
        .first()
    )
    if channel_id is not None:
        wake_dispatcher(channel_id)


def _fail_inactive(channel: Channel, batch: int, lease: dt.timedelta) -> None:
    """A switched-off channel sends nothing: its due messages fail, for staff to see."""
    reason = _("The channel is switched off.")
    while messages := claim_due(channel=channel, limit=batch, lease=lease):
        for message in messages:
            error = SendError(reason, retryable=False, code="inactive")
            delivery.record_send_failure(message=message, error=error)


def _send_batch(channel: Channel, messages: list[Message], failures: int) -> None:
    """Send claimed messages concurrently, then record what happened in bulk."""
    outcome = Outcome()
    try:
        adapter = adapter_for(channel)
    except UnknownProvider:
        reason = _("No adapter sends messages for this provider.")
        for message in messages:
            _sort(outcome, message, SendError(reason, retryable=False, code="no_adapter"))
        _record(channel, outcome, failures)
        return
    threads = _threads(channel, messages)
    ready: list[tuple[Message, OutboundMessage]] = []
    for message in messages:
        try:
            thread = threads.get(message.pk, NO_THREAD)
            ready.append((message, outbound_for(message, thread=thread)))
        except SendError as error:
            _sort(outcome, message, error)
    # One resident's messages go one after the other, in order (the resident reads them in
    # the order they arrive); different residents' go at the same time.
    in_turn: dict[int, list[tuple[Message, OutboundMessage]]] = {}
    for message, outbound in sorted(ready, key=lambda item: item[0].pk):
        in_turn.setdefault(message.conversation_id, []).append((message, outbound))
    futures = [sender_pool().submit(_send_in_turn, adapter, items) for items in in_turn.values()]
    # Record as the answers come (every RECORD_EVERY seconds), not once the whole batch is
    # back: a worker killed mid-batch then leaves few sends unrecorded to be made again.
    done = Outcome()
    last = time.monotonic()
    for future in as_completed(futures):
        for message, result in future.result():
            if isinstance(result, Held):
                outcome.held.append(message)
            elif isinstance(result, SendError):
                _sort(outcome, message, result)
            elif isinstance(result, Exception):  # an adapter bug must not leave it queued
                log.error(
                    "send_unexpected_error",
                    message=message.pk,
                    channel=channel.pk,
                    exc_info=result,
                )
                bug = SendError(
                    f"unexpected error: {type(result).__name__}", retryable=True, code="bug"
                )
                _sort(outcome, message, bug)
            else:
                outcome.sent.append((message, result.provider_message_id))
        if time.monotonic() - last >= RECORD_EVERY:
            _record_rows(channel, outcome)
            done.absorb(outcome)
            outcome = Outcome()
            last = time.monotonic()
    _record_rows(channel, outcome)
    done.absorb(outcome)
    _slow_down(channel, done, failures)


class Held:
    """The result of a send not tried: an earlier one to the same resident will be retried."""


HELD = Held()


def _send_in_turn(
    adapter: Any, items: list[tuple[Message, OutboundMessage]]
) -> list[tuple[Message, SendResult | Exception | Held]]:
    """Send one resident's messages in order; return each one's result or error.

    After a send that will be tried again, the resident's later messages are not sent (they
    would arrive before it): they are held, and go after it.
    """
    client = http_client()
    results: list[tuple[Message, SendResult | Exception | Held]] = []
    waiting = False
    for message, outbound in items:
        if waiting:
            results.append((message, HELD))
            continue
        try:
            results.append((message, adapter.send(client, outbound)))
        except Exception as error:  # sorted by the caller: retry, failure or adapter bug
            results.append((message, error))
            waiting = _will_retry(message, error)
    return results


def _will_retry(message: Message, error: Exception) -> bool:
    """Whether a failed send is tried again (an adapter's bug counts as retryable)."""
    retryable = error.retryable if isinstance(error, SendError) else True
    return retryable and message.attempts < MAX_SEND_ATTEMPTS


def _sort(outcome: Outcome, message: Message, error: SendError) -> None:
    """File a failed send as a retry (when the provider allows it) or a failure."""
    if _will_retry(message, error):
        delay = retry_delay(message.attempts, error.retry_after)
        due = timezone.now() + dt.timedelta(seconds=delay)
        outcome.retries.append((message, error, due))
        if error.retry_after is not None:
            outcome.retry_after = max(outcome.retry_after or 0.0, delay)
        log.info(
            "send_retry",
            message=message.pk,
            channel=message.channel_id,
            code=error.code,
            attempt=message.attempts,
            delay=round(delay, 3),
        )
        return
    outcome.failed.append((message, error))
    log.warning(
        "send_failed",
        message=message.pk,
        channel=message.channel_id,
        code=error.code,
        attempt=message.attempts,
    )


def _record(channel: Channel, outcome: Outcome, failures: int) -> None:
    """Record a batch's results; slow the channel when the provider said so or is down."""
    _record_rows(channel, outcome)
    _slow_down(channel, outcome, failures)


def _record_rows(channel: Channel, outcome: Outcome) -> None:
    """Record sends, retries and failures in bulk."""
    delivery.record_sent_many(channel=channel, sent=outcome.sent)
    delivery.record_send_retries(retries=outcome.retries)
    delivery.release_unsent(messages=outcome.held)
    for message, error in outcome.failed:
        delivery.record_send_failure(message=message, error=error)
    if outcome.sent:
        log.info("messages_sent", channel=channel.pk, count=len(outcome.sent))


def _slow_down(channel: Channel, outcome: Outcome, failures: int) -> None:
    """Pause the channel when the provider said so (429) or is down; forget it once it is up."""
    if outcome.sent and failures:
        sending_recovered(channel=channel)
    if outcome.retry_after is not None:  # "too many requests": the whole channel waits
        pause_sending(channel=channel, seconds=outcome.retry_after, failed=not outcome.sent)
    elif outcome.retries and not outcome.sent:  # the provider is down: back off, then probe
        pause_sending(channel=channel, seconds=retry_delay(failures + 1), failed=True)


@functools.cache
def sender_pool() -> ThreadPoolExecutor:
    """Return the process's pool of threads that wait on providers (``SEND_CONCURRENCY``)."""
    size = max(1, int(settings.SEND_CONCURRENCY))
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="send")


def _threads(channel: Channel, messages: list[Message]) -> dict[int, tuple[str, tuple[str, ...]]]:
    """Return the e-mail thread each message answers (only e-mail threads its replies)."""
    if channel.provider != Provider.EMAIL:
        return {}
    return {message.pk: _thread(message) for message in messages}


def outbound_for(
    message: Message, *, thread: tuple[str, tuple[str, ...]] | None = None
) -> OutboundMessage:
    """Build the normalised message an adapter sends from an outbound row.

    ``thread`` is the subject and thread it answers, when known (else it is looked up).
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
    subject, references = thread if thread is not None else _thread(message)
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
        in_reply_to=references,
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
