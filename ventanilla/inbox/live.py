"""Live updates for open inbox pages: server-sent events fed by the LiveEvent table.

Services write a ``LiveEvent`` row after each commit (``core.events.publish_on_commit``),
from any web or worker process. Each web process runs one ``LiveHub``: a thread that reads
new rows every half second while at least one page listens, and wakes the streams. A stream
therefore holds a server thread while it is open but no database connection, so open inbox
pages do not eat into PostgreSQL's connection limit, and the table is polled twice a second
per process, not per page. The same code runs on SQLite and PostgreSQL. Every few minutes
the hub also deletes rows older than ``LIVE_EVENTS_KEEP_MINUTES``.

A stream lasts about a minute and ends; the browser's EventSource reconnects at once with
``Last-Event-ID`` and the stream resumes from there, so nothing is missed and no thread is
held by a page that was closed.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import structlog
from django.db import DatabaseError, OperationalError, connection
from django.db.models import Max, Q
from django.utils import timezone

from ventanilla.conversations.models import Message
from ventanilla.core.events import prune_live_events
from ventanilla.core.models import LiveEvent

log = structlog.get_logger(__name__)

POLL_SECONDS = 0.5
#: a stream ends after this long; the browser reconnects at once (bounds held threads)
STREAM_SECONDS = 55.0
KEEPALIVE_SECONDS = 15.0
#: events written by two processes may commit out of id order: look back this far
OVERLAP_IDS = 50
OVERLAP_SECONDS = 5
CATCH_UP_LIMIT = 200
#: how often the hub deletes old LiveEvent rows (``core.events.prune_live_events``)
PRUNE_SECONDS = 300.0


@dataclass(frozen=True)
class LiveItem:
    """A live event as a page sees it: which case changed, never what it says."""

    id: int
    council_id: int
    kind: str
    reference: str
    department_id: int | None
    change: str

    def as_sse(self) -> str:
        data = json.dumps({"reference": self.reference, "change": self.change})
        return f"id: {self.id}\nevent: {self.kind}\ndata: {data}\n\n"


def to_items(events: list[LiveEvent]) -> list[LiveItem]:
    """Turn rows into items; a message event learns its case from the message."""
    message_ids = [
        e.data.get("message") for e in events if e.kind == "message" and e.data.get("message")
    ]
    cases: dict[int, tuple[str, int | None]] = {
        pk: (reference or "", department_id)
        for pk, reference, department_id in Message.objects.filter(pk__in=message_ids).values_list(
            "pk", "case__reference", "case__department_id"
        )
    }
    items = []
    for event in events:
        data = event.data or {}
        reference: str
        department_id: int | None
        if event.kind == "message":
            reference, department_id = cases.get(int(data.get("message") or 0), ("", None))
        else:
            reference, department_id = data.get("reference", ""), data.get("department")
        items.append(
            LiveItem(
                id=event.pk,
                council_id=event.council_id,
                kind=event.kind,
                reference=reference,
                department_id=department_id,
                change=str(data.get("change", "")),
            )
        )
    return items


_T = TypeVar("_T")


def latest_event_id() -> int:
    return LiveEvent.objects.aggregate(last=Max("id"))["last"] or 0


def _when_unlocked(read: Callable[[], _T], seconds: float = 5.0) -> _T:
    """Run ``read``, again while an in-memory SQLite database's writer holds the table.

    Such a database shares one cache between its connections, and a reader that meets a
    table another connection is writing fails at once ("database table is locked") instead of
    waiting; on any other database the first error is raised.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            return read()
        except OperationalError as error:
            if "table is locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


class LiveHub:
    """One per process: polls LiveEvent while someone listens and wakes the waiting streams."""

    def __init__(
        self,
        poll_seconds: float = POLL_SECONDS,
        keep: int = 1000,
        prune_seconds: float = PRUNE_SECONDS,
    ) -> None:
        self.poll_seconds = poll_seconds
        self.prune_seconds = prune_seconds
        self._pruned_at: float | None = None
        self._cond = threading.Condition()
        self._items: deque[tuple[int, LiveItem]] = deque(maxlen=keep)
        self._seen: set[int] = set()
        self._seq = 0
        self._last_id = 0
        self._listeners = 0
        self._thread: threading.Thread | None = None

    def subscribe(self) -> int:
        """Start listening; return the position to pass to ``wait``."""
        with self._cond:
            self._listeners += 1
            if self._thread is None or not self._thread.is_alive():
                # Known before the thread starts, so no event falls between a stream's
                # catch-up and the first poll.
                self._last_id = max(self._last_id, latest_event_id())
                # The first prune waits a period: a hub starts with its first page, which
                # wants its events now, not a DELETE before them.
                self._pruned_at = self._pruned_at or time.monotonic()
                self._thread = threading.Thread(target=self._run, name="inbox-live", daemon=True)
                self._thread.start()
            return self._seq

    def unsubscribe(self) -> None:
        with self._cond:
            self._listeners = max(0, self._listeners - 1)

    def wait(self, seq: int, timeout: float) -> tuple[int, list[LiveItem]]:
        """Block until there are items after ``seq`` (or ``timeout``); return them."""
        with self._cond:
            self._cond.wait_for(lambda: self._seq > seq, timeout=timeout)
            return self._seq, [item for s, item in self._items if s > seq]

    def stop(self) -> None:
        """Let the thread finish (tests; it also stops by itself when nobody listens)."""
        with self._cond:
            self._listeners = 0
            thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while True:
                with self._cond:
                    if self._listeners == 0:
                        self._thread = None
                        return
                try:
                    self._prune_if_due()  # best effort: a busy table waits for the next period
                except DatabaseError:
                    log.warning("inbox_live_prune_failed", exc_info=True)
                try:
                    self._poll()
                except DatabaseError:
                    log.warning("inbox_live_poll_failed", exc_info=True)
                    connection.close()
                time.sleep(self.poll_seconds)
        finally:
            connection.close()

    def _prune_if_due(self) -> None:
        """Delete old live events now and then: every web process that serves pages runs this."""
        now = time.monotonic()
        if self._pruned_at is not None and now - self._pruned_at < self.prune_seconds:
            return
        self._pruned_at = now
        deleted = prune_live_events()
        if deleted:
            log.info("inbox_live_pruned", deleted=deleted)

    def _poll(self) -> None:
        recent = timezone.now() - dt.timedelta(seconds=OVERLAP_SECONDS)
        rows = list(
            LiveEvent.objects.filter(
                Q(id__gt=self._last_id)
                | Q(id__gt=self._last_id - OVERLAP_IDS, created_at__gte=recent)
            ).order_by("id")[:500]
        )
        new = [row for row in rows if row.pk not in self._seen]
        if not new:
            latest = latest_event_id()
            if latest < self._last_id - OVERLAP_IDS:
                # The table went back in time (a restored database): start again from there.
                with self._cond:
                    self._last_id = latest
                    self._seen.clear()
            return
        items = to_items(new)
        with self._cond:
            for item in items:
                self._seq += 1
                self._items.append((self._seq, item))
                self._seen.add(item.id)
                self._last_id = max(self._last_id, item.id)
            if len(self._seen) > 2 * (self._items.maxlen or 1000):
                self._seen = {item.id for _, item in self._items}
            self._cond.notify_all()


class PollingSource:
    """The same interface as ``LiveHub`` for one stream that reads the table itself.

    Used only when the database is an in-memory SQLite one (the test suite's default): such
    a database lives inside one connection, which the live server's request threads share
    and a hub thread of its own could not use safely.
    """

    def __init__(self, poll_seconds: float = POLL_SECONDS) -> None:
        self.poll_seconds = poll_seconds
        self._last_id = 0

    def subscribe(self) -> int:
        self._last_id = _when_unlocked(latest_event_id)
        return 0

    def unsubscribe(self) -> None:
        pass

    def wait(self, seq: int, timeout: float) -> tuple[int, list[LiveItem]]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                rows = list(LiveEvent.objects.filter(id__gt=self._last_id).order_by("id")[:500])
            except OperationalError:  # the connection's writer holds the table: look again
                rows = []
            if rows:
                self._last_id = rows[-1].pk
                return seq + 1, to_items(rows)
            if time.monotonic() + self.poll_seconds > deadline:
                return seq, []
            time.sleep(self.poll_seconds)


hub = LiveHub()


class StreamCounter:
    """How many event streams this process holds open (each one holds a server thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def add(self, n: int) -> None:
        with self._lock:
            self.value += n


open_streams = StreamCounter()


def default_source() -> LiveHub | PollingSource:
    """Return the process's hub, or a stream's own poller on an in-memory SQLite database."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    if in_memory:
        return PollingSource()
    return hub


def stream(
    *,
    council_id: int,
    visible: Callable[[LiveItem], bool],
    after: int | None,
    live_hub: LiveHub | PollingSource | None = None,
    seconds: float | None = None,
) -> Iterator[str]:
    """Yield server-sent events for ``council_id`` newer than ``after`` that pass ``visible``.

    ``after`` is the newest event id the page knew when it was rendered, or the browser's
    Last-Event-ID; None starts from now.
    """
    live_hub = live_hub or default_source()
    seconds = STREAM_SECONDS if seconds is None else seconds
    yield "retry: 1000\n\n"
    open_streams.add(1)
    seq = live_hub.subscribe()
    try:
        if after is None:
            after = latest_event_id()
        # ``cursor``: the newest event this page has been told about or may skip. Sent as a
        # bare ``id:`` line, it moves the browser's Last-Event-ID past events the agent may
        # not see, so a reconnection does not read them again.
        cursor = sent = after
        delivered: set[int] = set()
        since = after
        missed = _when_unlocked(
            lambda: list(
                LiveEvent.objects.filter(council_id=council_id, id__gt=since).order_by("id")[
                    :CATCH_UP_LIMIT
                ]
            )
        )
        for item in to_items(missed):
            delivered.add(item.id)
            cursor = max(cursor, item.id)
            if visible(item):
                sent = item.id
                yield item.as_sse()
        if not connection.in_atomic_block:
            # Wait without holding a database connection: the hub reads for everyone.
            connection.close()
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            seq, items = live_hub.wait(seq, timeout=min(KEEPALIVE_SECONDS, remaining))
            for item in items:
                if item.council_id != council_id or item.id <= after or item.id in delivered:
                    continue
                delivered.add(item.id)
                cursor = max(cursor, item.id)
                if visible(item):
                    sent = item.id
                    yield item.as_sse()
            if not items:
                yield ": keepalive\n\n"
        if cursor != sent:
            yield f"id: {cursor}\n\n"
    finally:
        live_hub.unsubscribe()
        open_streams.add(-1)
