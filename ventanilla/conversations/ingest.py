"""Store first, process in batches: how a verified webhook becomes messages and statuses.

The webhook view (``conversations.webhooks``) does as little as it can before it answers
the provider: it verifies the signature, checks that the body parses, and stores the
request as a ``WebhookDelivery`` (one INSERT; the same body to the same channel is stored
once). Everything else happens here, in the workers:

- ``process_due`` claims a batch of due deliveries (``FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so workers share the table without waiting on each other) and processes
  them in one transaction: the batch's new residents and conversations created in bulk,
  residents' messages stored, channel events recorded
  (``conversations.inbound.receive``), the batch's statuses applied together with
  set-based updates (``conversations.inbound.receive_statuses``). Then the dialog answers
  the new messages, a conversation at a time (``conversations.inbound.answer``), with no
  task per message.
- A worker killed in the middle of a batch commits nothing: its deliveries are still
  pending for the next worker. One killed after the commit, while it answers, leaves its
  deliveries leased for a minute; the next worker answers what is still unanswered. Each
  message is stored once and answered once.
- A delivery whose processing raises is put back with a growing delay; after
  ``WEBHOOK_MAX_ATTEMPTS`` it is marked failed and kept (the admin lists it and can retry).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import queue
import threading
import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import psycopg
import structlog
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

from ventanilla.channels.adapters import adapter_for
from ventanilla.channels.adapters.base import InboundMessage, ParsedWebhook, WebhookRequest
from ventanilla.channels.models import Channel
from ventanilla.conversations import inbound, services
from ventanilla.conversations.models import DeliveryState, Message, WebhookDelivery
from ventanilla.core import events

log = structlog.get_logger(__name__)

#: deliveries one worker takes per transaction
BATCH = 100
#: how long the deliveries of a batch wait, once stored, for their messages to be answered
#: before another worker takes them again (this one died)
ANSWER_LEASE = dt.timedelta(minutes=1)
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
#: headers worth keeping with a stored delivery (parsers read none of the others)
KEPT_HEADERS = ("content-type", "x-twilio-signature", "x-line-signature", "x-hub-signature-256")


def digest_of(webhook: WebhookRequest) -> str:
    """Return what makes a delivery the same delivery: its URL and its body."""
    return hashlib.sha256(webhook.url.encode() + b"\n" + webhook.body).hexdigest()


def store(*, channel: Channel, webhook: WebhookRequest) -> int | None:
    """Store a verified request as a pending delivery; return its id, or None if it was
    already stored.

    One INSERT in autocommit: the row is durable when this returns, before the provider is
    answered.
    """
    headers = {
        name.lower(): value
        for name, value in webhook.headers.items()
        if name.lower() in KEPT_HEADERS
    }
    # The query and a form body are read again from the URL and the body when the delivery
    # is processed: a NUL a provider sent cannot be stored in PostgreSQL's JSON.
    request: dict[str, Any] = {"method": webhook.method, "url": webhook.url, "headers": headers}
    digest = digest_of(webhook)
    if settings.WEBHOOK_GROUP_COMMIT and shares_commits():
        # Give this thread's connection back to the pool first: the writer may need it.
        connection.close()
        return writer.write(channel.pk, digest, request, webhook.body)
    row = WebhookDelivery(channel=channel, digest=digest, request=request, body=webhook.body)
    try:
        if connection.in_atomic_block:  # a savepoint, so that a duplicate spoils nothing
            with transaction.atomic():
                row.save(force_insert=True)
        else:  # autocommit: one statement, no BEGIN/COMMIT
            row.save(force_insert=True)
    except IntegrityError:
        return None  # the provider sent the same delivery again
    return row.pk


def shares_commits() -> bool:
    """Whether this request may hand its row to the process's writer thread.

    Only on PostgreSQL (SQLite has one writer at a time anyway, and a test's in-memory
    database is one connection) and outside a transaction (the row must not depend on it).
    """
    return connection.vendor == "postgresql" and not connection.in_atomic_block


class _Ticket:
    __slots__ = ("body", "channel_id", "digest", "done", "error", "pk", "request")

    def __init__(self, channel_id: int, digest: str, request: dict[str, Any], body: bytes) -> None:
        self.channel_id = channel_id
        self.digest = digest
        self.request = request
        self.body = body
        self.done = threading.Event()
        self.pk: int | None = None
        self.error: BaseException | None = None


class GroupWriter:
    """Group commit: the webhooks that arrive together in one process share one INSERT.

    Each request thread hands its row to the writer thread and waits; the writer inserts
    every row waiting (up to ``GROUP_MAX``) in one statement, in one commit, and wakes them.
    A request is answered only after its row is committed, so an acknowledged delivery is
    never lost; but a burst costs one commit per group, not one per webhook.

    The group travels as one JSON document, bound on the server and read back into rows by
    ``json_to_recordset``: one ``json.dumps`` in C, where Django's cursor quotes each value
    into the statement's text in Python (about half of the writer's time in a profile),
    and psycopg's arrays, one per column, still cost three times as much as the document.
    The bodies go in base64, so that any bytes a provider sent are kept as they came.
    """

    GROUP_MAX = 500
    #: the writer gives its connection back to the pool after this long without a row: a
    #: burst keeps it (its groups come milliseconds apart), a quiet process does not
    IDLE_SECONDS = 0.05

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Ticket] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def write(
        self, channel_id: int, digest: str, request: dict[str, Any], body: bytes
    ) -> int | None:
        """Insert a pending delivery with whatever else is waiting; return its id, or None
        if it is a duplicate. ``request`` is the stored request (method, URL, headers)."""
        ticket = _Ticket(channel_id, digest, request, body)
        self._ensure_running()
        self._queue.put(ticket)
        if not ticket.done.wait(timeout=settings.WEBHOOK_WRITE_TIMEOUT):
            raise TimeoutError("the delivery writer did not answer in time")
        if ticket.error is not None:
            raise ticket.error
        return ticket.pk

    def _ensure_running(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="delivery-writer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.IDLE_SECONDS)
            except queue.Empty:
                connection.close()  # idle: the connection goes back to the pool
                first = self._queue.get()
            group = [first]
            while len(group) < self.GROUP_MAX:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._insert(group)
            except BaseException as error:  # every waiting request must hear about it
                for ticket in group:
                    ticket.error = error
                connection.close()  # a broken connection is not reused
            finally:
                for ticket in group:
                    ticket.done.set()

    def _insert(self, group: list[_Ticket]) -> None:
        now = timezone.now()
        # Only the model's names go into the text; values are parameters.
        sql = (
            f"INSERT INTO {WebhookDelivery._meta.db_table}"  # noqa: S608
            " (channel_id, digest, request, body, received_at, not_before, state, attempts,"
            " last_error)"
            " SELECT c, d, r, decode(b, 'base64'), %(now)s, %(now)s, %(pending)s, 0, ''"
            " FROM json_to_recordset(%(rows)s::json) AS row (c integer, d text, r jsonb, b text)"
            " ON CONFLICT (channel_id, digest) DO NOTHING RETURNING id, channel_id, digest"
        )
        rows = [
            {
                "c": ticket.channel_id,
                "d": ticket.digest,
                "r": ticket.request,
                "b": base64.b64encode(ticket.body).decode("ascii"),
            }
            for ticket in group
        ]
        params = {"now": now, "pending": DeliveryState.PENDING.value, "rows": json.dumps(rows)}
        # One statement in autocommit: all the group's rows or none, committed when it
        # returns, in one round trip (no BEGIN, no COMMIT). Under load each round trip
        # also waits for the GIL among the request threads, so their number counts.
        connection.ensure_connection()
        # A cursor that binds on the server (Django's binds on the client).
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params)
            inserted = {(channel, digest): pk for pk, channel, digest in cursor.fetchall()}
        for ticket in group:
            key = (ticket.channel_id, ticket.digest)
            if key in inserted:  # the first of two identical rows in one group wins
                ticket.pk = inserted.pop(key)


writer = GroupWriter()


def as_webhook(delivery: WebhookDelivery) -> WebhookRequest:
    """Return the stored request as the adapter saw it in the webhook view."""
    request = delivery.request
    url = request.get("url", "")
    headers = request.get("headers", {})
    body = bytes(delivery.body)
    form: dict[str, str] = {}
    if body and str(headers.get("content-type", "")).startswith(FORM_CONTENT_TYPE):
        form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return WebhookRequest(
        method=request.get("method", "POST"),
        url=url,
        headers=headers,
        body=body,
        query=dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)),
        form=form,
    )


def process(delivery: WebhookDelivery) -> inbound.Received:
    """Parse a stored delivery again and store what it carries (inside the caller's transaction)."""
    channel = delivery.channel
    parsed = adapter_for(channel).parse(as_webhook(delivery))
    return inbound.receive(channel=channel, parsed=parsed)


def batch_size() -> int:
    # SQLite has one writer at a time: short batches keep the web process's inserts waiting
    # for milliseconds, not seconds.
    return BATCH if connection.vendor == "postgresql" else 20


def process_due(*, limit: int | None = None, now: dt.datetime | None = None) -> int:
    """Process up to ``limit`` due deliveries in one transaction; return how many were taken.

    The staff claims look at the batch's messages once per channel, and the residents and
    conversations the other messages come from are found or created in bulk
    (``services.prepare_conversations``). Each delivery's messages and events are then
    stored in a savepoint of their own (a failure undoes that delivery only). The statuses
    of the whole batch are applied together, per channel, with set-based updates; if that
    fails, each delivery's statuses are applied on their own, so one bad delivery does not
    hold back the others. The deliveries done are marked in one UPDATE.

    Once that commits, the dialog answers the new messages, a conversation at a time
    (``inbound.answer``), and their deliveries are marked done. Until then they wait with a
    lease (``ANSWER_LEASE``): a worker that dies in between leaves them to the next, which
    answers the messages stored but not answered. The live events of the batch and of its
    answers are written in one INSERT at the end (pages see them a moment later).
    """
    now = now or timezone.now()
    with events.batched():  # the batch's live events, and its answers', in one INSERT
        taken, new_messages, answering = _store_batch(limit=limit or batch_size(), now=now)
        # The answers' commits do not wait for the disk: the "done" mark below does, and
        # PostgreSQL's log is written in order (see ``tasks.answer_now``).
        inbound.answer(new_messages)
    WebhookDelivery.objects.filter(pk__in=answering).update(
        state=DeliveryState.DONE, processed_at=now
    )
    return taken


def _store_batch(*, limit: int, now: dt.datetime) -> tuple[int, list[Message], list[int]]:
    """Take up to ``limit`` due deliveries and store what they carry, in one transaction.

    Return how many were taken, the new messages to answer, and the deliveries that wait
    for those answers (leased until then).
    """
    new_messages: list[Message] = []
    answering: list[int] = []  # deliveries whose messages are answered after the commit
    with transaction.atomic(), services.batch_conversations():
        batch = list(
            WebhookDelivery.objects.due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("channel__council")
            .order_by("not_before", "id")[:limit]
        )
        parsed_batch: list[tuple[WebhookDelivery, ParsedWebhook]] = []
        adapters: dict[int, Any] = {}  # one per channel: its secrets are decrypted once
        for delivery in batch:
            try:
                if delivery.channel_id not in adapters:
                    adapters[delivery.channel_id] = adapter_for(delivery.channel)
                parsed = adapters[delivery.channel_id].parse(as_webhook(delivery))
            except Exception as error:
                _failed(delivery, error, now=now)
                continue
            parsed_batch.append((delivery, parsed))
        staff = _claim_staff(parsed_batch)
        _prepare_conversations(parsed_batch, staff)
        statuses: dict[int, list[tuple[WebhookDelivery, ParsedWebhook]]] = {}
        done: list[int] = []
        for delivery, parsed in parsed_batch:
            stored: list[Message] = []
            try:
                if parsed.messages or parsed.events:
                    with transaction.atomic():  # a savepoint: a failure undoes this one only
                        inbound.receive(
                            channel=delivery.channel,
                            parsed=ParsedWebhook(messages=parsed.messages, events=parsed.events),
                            answer_later=stored,
                            staff=staff.get(delivery.pk),
                        )
                    new_messages.extend(stored)
            except Exception as error:
                _failed(delivery, error, now=now)
                continue
            if stored:
                answering.append(delivery.pk)
            if parsed.statuses:
                statuses.setdefault(delivery.channel_id, []).append((delivery, parsed))
            elif not stored:
                done.append(delivery.pk)
        for group in statuses.values():
            applied = set(_apply_statuses(group, now=now))
            for delivery, _ in group:
                if delivery.pk not in applied and delivery.pk in answering:
                    answering.remove(delivery.pk)  # left pending: its statuses failed
                elif delivery.pk in applied and delivery.pk not in answering:
                    done.append(delivery.pk)
        WebhookDelivery.objects.filter(pk__in=done).update(
            state=DeliveryState.DONE, processed_at=now
        )
        # Until answered, they wait: if this worker dies first, the next one takes them
        # again when the lease ends, and answers what is stored but unanswered.
        WebhookDelivery.objects.filter(pk__in=answering).update(not_before=now + ANSWER_LEASE)
    return len(batch), new_messages, answering


def _claim_staff(batch: list[tuple[WebhookDelivery, ParsedWebhook]]) -> dict[int, set[int]]:
    """Ask the staff claims once per channel for the batch's messages.

    Return, by delivery id, the positions of its messages the claims took. A channel whose
    claims fail is left out: each of its deliveries asks again on its own (and fails alone).
    """
    by_channel: dict[int, list[tuple[WebhookDelivery, ParsedWebhook]]] = {}
    for delivery, parsed in batch:
        if parsed.messages:
            by_channel.setdefault(delivery.channel_id, []).append((delivery, parsed))
    taken: dict[int, set[int]] = {}
    for group in by_channel.values():
        channel = group[0][0].channel
        places = [(delivery.pk, index) for delivery, p in group for index in range(len(p.messages))]
        try:
            with transaction.atomic():
                claimed = inbound.claim_staff(channel, [m for _, p in group for m in p.messages])
        except Exception:
            log.warning("webhook_staff_claims_one_by_one", channel=channel.pk)
            continue
        for delivery, _ in group:
            taken[delivery.pk] = set()
        for position in claimed:
            delivery_id, index = places[position]
            taken[delivery_id].add(index)
    return taken


def _prepare_conversations(
    batch: list[tuple[WebhookDelivery, ParsedWebhook]], staff: dict[int, set[int]]
) -> None:
    """Find or create in bulk the residents and conversations of the batch's messages.

    Only messages the staff claims have looked at and left are residents' (a staff phone
    never becomes a resident).
    """
    by_channel: dict[int, tuple[Channel, list[InboundMessage]]] = {}
    for delivery, parsed in batch:
        taken = staff.get(delivery.pk)
        if taken is None or not parsed.messages:
            continue
        residents = [m for index, m in enumerate(parsed.messages) if index not in taken]
        by_channel.setdefault(delivery.channel_id, (delivery.channel, []))[1].extend(residents)
    for channel, messages in by_channel.values():
        services.prepare_conversations(channel=channel, inbounds=messages)


def _apply_statuses(
    group: list[tuple[WebhookDelivery, ParsedWebhook]], *, now: dt.datetime
) -> list[int]:
    """Apply the statuses of one channel's deliveries; return the ids of those done."""
    channel = group[0][0].channel
    try:
        with transaction.atomic():
            updates = [update for _, parsed in group for update in parsed.statuses]
            inbound.receive_statuses(channel=channel, updates=updates)
        return [delivery.pk for delivery, _ in group]
    except Exception:
        log.warning("webhook_status_batch_failed", channel=channel.pk, deliveries=len(group))
    done: list[int] = []
    for delivery, parsed in group:
        try:
            with transaction.atomic():
                inbound.receive_statuses(channel=channel, updates=parsed.statuses)
        except Exception as error:
            _failed(delivery, error, now=now)
            continue
        done.append(delivery.pk)
    return done


def _failed(delivery: WebhookDelivery, error: Exception, *, now: dt.datetime) -> None:
    """Put a delivery back with a growing delay, or mark it failed after the last attempt."""
    delivery.attempts += 1
    delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.state = DeliveryState.FAILED
        log.error(
            "webhook_delivery_failed",
            delivery=delivery.pk,
            channel=delivery.channel_id,
            error=type(error).__name__,
        )
    else:
        delay = min(2**delivery.attempts, 300)
        delivery.not_before = now + dt.timedelta(seconds=delay)
        log.warning(
            "webhook_delivery_retry",
            delivery=delivery.pk,
            channel=delivery.channel_id,
            attempts=delivery.attempts,
            error=type(error).__name__,
        )
    delivery.save(update_fields=["attempts", "last_error", "state", "not_before"])


def _process_one(delivery: WebhookDelivery, *, now: dt.datetime) -> None:
    try:
        with transaction.atomic():  # a savepoint: a failure undoes this delivery only
            process(delivery)
    except Exception as error:
        _failed(delivery, error, now=now)
        return
    delivery.state = DeliveryState.DONE
    delivery.processed_at = now
    delivery.save(update_fields=["state", "processed_at"])


def process_now(delivery_id: int) -> None:
    """Process one stored delivery at once (``WEBHOOK_PROCESSING=inline``)."""
    with transaction.atomic():
        locked = (
            WebhookDelivery.objects.select_for_update()
            .select_related("channel__council")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if locked is not None:
            _process_one(locked, now=timezone.now())


@transaction.atomic
def retry(*, delivery: WebhookDelivery) -> None:
    """Put a failed delivery back in the queue (from the admin)."""
    WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.FAILED).update(
        state=DeliveryState.PENDING, attempts=0, not_before=timezone.now(), last_error=""
    )


def prune_processed(*, now: dt.datetime | None = None) -> int:
    """Delete processed deliveries older than ``WEBHOOK_DELIVERIES_KEEP_HOURS``; return how many.

    Failed deliveries stay until someone retries them: they may be the only copy of what a
    resident sent.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.WEBHOOK_DELIVERIES_KEEP_HOURS)
    deleted, _ = WebhookDelivery.objects.filter(
        state=DeliveryState.DONE, received_at__lt=cutoff
    ).delete()
    return deleted


@task(queue_name="bulk")
def prune_deliveries() -> int:
    """Delete processed deliveries past their keeping period (a periodic job)."""
    return prune_processed()


#: how long one turn of the worker's drain may take (then the worker runs a task)
DRAIN_SECONDS = 0.5


def drain() -> int:
    """Process what is due, batch after batch, for about ``DRAIN_SECONDS``; return how many.

    The worker gives the drain a turn between tasks, so a long backlog of webhooks is taken
    in slices and the dialog answers the first residents while the rest are stored.
    """
    total, size = 0, batch_size()
    deadline = time.monotonic() + DRAIN_SECONDS
    while True:
        taken = process_due(limit=size)
        total += taken
        if taken < size or time.monotonic() >= deadline:
            return total
