"""The Redis task backend (``TASKS_BACKEND=rq``), with real processes.

``ventanilla serve`` and ``ventanilla worker`` run on the test's own database (a file copy of
it on SQLite) with their task queue in Redis (a database number of its own, emptied after):
a resident's WhatsApp message is answered through the fake provider, a periodic job runs, a
deferred task waits for its time, and no task row is ever written to the database.
Redis must be running (``make redis``; ``make test`` starts it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import django_rq
import httpx
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_rq import Job
from rq.job import JobStatus
from rq.registry import StartedJobRegistry

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels import services as channel_services
from ventanilla.channels.models import Channel
from ventanilla.conversations.delivery_tasks import send_message
from ventanilla.conversations.models import Message
from ventanilla.conversations.services import (
    BulkOutbound,
    conversation_for,
    queue_outbound_bulk,
)
from ventanilla.core.models import Council, LiveEvent, ScheduledJob
from ventanilla.core.rq_backend import listen_order
from ventanilla.core.rq_worker import requeue_abandoned
from ventanilla.fakes.server import FakeHub
from ventanilla.fakes.tests.harness import RESIDENT, SECRETS, URN

pytestmark = pytest.mark.django_db(transaction=True)

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
#: a key that marks a Redis database number as this test's while it runs
CLAIM = "ventanilla:test-claim"
WAIT = 60.0  # generous: a loaded CI machine starts processes slowly


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def eventually(
    check: Callable[[], Any], what: str, system: Installation, seconds: float = WAIT
) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds:.0f} s\n{system.logs()}")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """An empty Redis database number of this test's own, emptied afterwards."""
    try:
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT).ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (`make redis` starts it)")
    for number in range(15, 0, -1):
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=number)
        if client.dbsize() == 0 and client.set(CLAIM, os.getpid(), nx=True, ex=600):
            break
    else:
        pytest.fail("no empty Redis database number is left for the test")
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{number}"
    client.flushdb()


class Installation:
    """The test database as other processes reach it, and those processes."""

    def __init__(self, tmp_path: Path, redis_url: str) -> None:
        db = connection.settings_dict
        self.path: Path | None = None
        if connection.vendor == "sqlite":
            # The test database lives in this process's memory: copy it to a file the
            # server and the worker share.
            self.path = tmp_path / "rq.sqlite3"
            with sqlite3.connect(self.path) as target:
                connection.ensure_connection()
                connection.connection.backup(target)
            self.url = f"sqlite:///{self.path}"
        else:
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            self.url = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        self.redis_url = redis_url
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen[bytes]] = []

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self.path is not None:
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql, params).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall()

    def start(self, *args: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"{args[0]}-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "ventanilla", *args],
            env={
                **os.environ,
                "DATABASE_URL": self.url,
                "SECRET_KEY": settings.SECRET_KEY,
                "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
                "TASKS_BACKEND": "rq",
                "REDIS_URL": self.redis_url,
                "AXES_ENABLED": "0",
                "LOG_LEVEL": "WARNING",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # granian's workers are stopped with their parent
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)

    def logs(self) -> str:
        """Return the end of each process's output (for a failure's message)."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.tmp_path.glob("*.log"))
        )

    def task_rows(self) -> int:
        return self.rows("SELECT count(*) FROM django_tasks_database_dbtaskresult")[0][0]

    def status_of(self, message_id: int) -> str:
        return self.rows("SELECT status FROM conversations_message WHERE id = ?", message_id)[0][0]


@pytest.fixture
def hub(fake_server: tuple[str, FakeHub]) -> FakeHub:
    _, fake_hub = fake_server
    with fake_hub.lock:
        fake_hub.received.clear()
        fake_hub.faults.clear()
        fake_hub.channels.clear()
    return fake_hub


@pytest.fixture
def council() -> Council:
    return make_council()


@pytest.fixture
def whatsapp(council: Council, hub: FakeHub) -> Channel:
    return channel_services.create_channel(
        council=council,
        provider="whatsapp",
        name="WhatsApp",
        secrets=SECRETS["whatsapp"],
        api_base=f"{hub.base_url}/whatsapp",
        rate_per_second=1000,
    )


@pytest.fixture
def installation(tmp_path: Path, redis_url: str) -> Iterator[Callable[[], Installation]]:
    started: list[Installation] = []

    def start() -> Installation:
        system = Installation(tmp_path, redis_url)
        started.append(system)
        return system

    yield start
    for system in started:
        system.stop()


def sends(hub: FakeHub) -> list[dict[str, Any]]:
    with hub.lock:
        return [
            r
            for r in hub.received
            if r["provider"] == "whatsapp" and r["path"].endswith("/messages")
        ]


def register(hub: FakeHub, channel: Channel, base: str) -> None:
    """Tell the fake provider about the channel (its tokens, where its webhooks go)."""
    registration = {
        "provider": channel.provider,
        "webhook_url": base + channel.webhook_path,
        "secrets": SECRETS[channel.provider],
    }
    httpx.post(f"{hub.base_url}/_control/channels", json=registration).raise_for_status()


def test_a_resident_is_answered_and_periodic_jobs_run_with_the_queue_in_redis(
    installation: Callable[[], Installation], hub: FakeHub, whatsapp: Channel, council: Council
) -> None:
    long_ago = timezone.now() - dt.timedelta(minutes=settings.LIVE_EVENTS_KEEP_MINUTES + 60)
    stale = LiveEvent.objects.create(council=council, kind="case", created_at=long_ago)
    LiveEvent.objects.create(council=council, kind="case")  # the newest is always kept
    system = installation()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    system.start("serve", "--port", str(port), "--workers", "1", "--no-collectstatic")
    system.start("worker", "--interval", "0.1")
    eventually(lambda: _healthy(base), "the web server starting", system, seconds=2 * WAIT)
    register(hub, whatsapp, base)

    spec = {"from": RESIDENT["whatsapp"], "text": "Hola, la farola de mi calle no funciona"}
    written = httpx.post(f"{hub.base_url}/_control/whatsapp/inbound", json=spec, timeout=10)

    assert written.json()["status"] == 200
    eventually(lambda: sends(hub), "the answer reaching the resident", system)
    sent = eventually(
        lambda: system.rows(
            "SELECT m.id FROM conversations_message m JOIN conversations_conversation c "
            "ON c.id = m.conversation_id WHERE m.direction = 'out' AND m.status = 'sent' "
            "AND c.urn = ?",
            URN["whatsapp"],
        ),
        "the answer being marked sent",
        system,
    )
    assert sent
    eventually(
        lambda: not system.rows("SELECT id FROM core_liveevent WHERE id = ?", stale.pk),
        "the periodic pruning of live events",
        system,
    )
    assert system.task_rows() == 0  # every task went through Redis


def test_a_deferred_task_runs_once_its_time_has_come(
    installation: Callable[[], Installation],
    hub: FakeHub,
    whatsapp: Channel,
    council: Council,
    redis_url: str,
    settings: Any,
) -> None:
    chat = conversation_for(channel=whatsapp, urn=URN["whatsapp"])
    [message_id] = queue_outbound_bulk(
        items=[
            BulkOutbound(
                conversation_id=chat.pk,
                channel_id=whatsapp.pk,
                council_id=council.pk,
                text="Mañana se corta el agua de 9 a 12",
            )
        ]
    )
    # Due now, with no dispatcher woken: only the deferred task below wakes one. The
    # periodic wake of stuck dispatchers would too, as the worker starts: its round is put
    # off as far as its period allows, and the send must come before it.
    Message.objects.filter(pk=message_id).update(due_at=timezone.now())
    stuck_round = timezone.now() + dt.timedelta(seconds=14)
    ScheduledJob.objects.create(name="wake-stuck-dispatchers", next_run_at=stuck_round)
    system = installation()
    system.start("worker", "--interval", "0.1")
    register(hub, whatsapp, "http://127.0.0.1:9")  # no webhooks in this test
    settings.TASKS = {
        "default": {"BACKEND": "ventanilla.core.rq_backend.RQBackend", "QUEUES": listen_order()}
    }
    settings.RQ_QUEUES = {name: {"URL": redis_url} for name in listen_order()}
    run_after = timezone.now() + dt.timedelta(seconds=3)

    send_message.using(run_after=run_after).enqueue(message_id)

    eventually(lambda: system.status_of(message_id) == "sent", "the deferred send", system)
    [(sent_at,)] = system.rows("SELECT sent_at FROM conversations_message WHERE id = ?", message_id)
    if isinstance(sent_at, str):
        sent_at = dt.datetime.fromisoformat(sent_at).replace(tzinfo=dt.UTC)
    # rq keeps a deferred task's time to the whole second: it may start up to 1 s early
    assert run_after - dt.timedelta(seconds=1) <= sent_at < stuck_round
    assert len(sends(hub)) == 1
    assert system.task_rows() == 0


def _healthy(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def rq_backend(settings: Any, redis_url: str) -> str:
    """This process enqueues into the test's Redis database (no worker runs here)."""
    settings.TASKS = {
        "default": {"BACKEND": "ventanilla.core.rq_backend.RQBackend", "QUEUES": listen_order()}
    }
    settings.RQ_QUEUES = {name: {"URL": redis_url} for name in listen_order()}
    return redis_url


def test_workers_take_replies_first_and_a_broadcast_s_fan_out_last(rq_backend: str) -> None:
    from ventanilla.broadcasts.tasks import dispatch

    fan_out = dispatch.enqueue(1, 1)
    reply = send_message.enqueue(1)

    assert listen_order() == ["send", "default", "bulk", "low"]
    assert django_rq.get_queue("low").job_ids == [fan_out.id]
    assert django_rq.get_queue("send").job_ids == [reply.id]


def test_a_task_whose_worker_died_is_queued_again(rq_backend: str) -> None:
    queued = send_message.enqueue(7)
    queue = django_rq.get_queue("send", job_class=Job)
    job = queue.dequeue_any([queue], None, connection=queue.connection, job_class=Job)[0]
    job.set_status(JobStatus.STARTED)
    started = StartedJobRegistry(queue=queue)
    # an execution of a worker that died long ago (rq's entry: job id, execution id, expiry)
    queue.connection.zadd(started.key, {f"{job.id}:dead-worker": 1})

    started.cleanup(exception_handlers=[requeue_abandoned])

    [again] = queue.get_jobs()
    assert again.id != queued.id
    assert (again.func_name, list(again.args)) == (job.func_name, [7])
