"""Faults on a running installation: a worker killed mid-batch, a database that goes away.

Real processes on the test's own database: the web server (granian, ``ventanilla serve``),
``ventanilla worker`` and the fake providers (LINE, which de-duplicates on the send's retry
key, and Telegram, which has no such key). Residents write while the worker sends a batch
of answers; the worker is killed with SIGKILL, or its database connections are cut for a
few seconds; in the end every resident's message is stored once and every answer delivered
(once on LINE).
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.db import connection

from ventanilla.cases.tests.factories import make_council
from ventanilla.channels import services
from ventanilla.conversations.services import conversation_for, queue_outbound
from ventanilla.fakes.line import line_user_id
from ventanilla.fakes.server import FakeHub
from ventanilla.fakes.tests.harness import SECRETS

pytestmark = pytest.mark.django_db(transaction=True)

RESIDENTS = 10  # per channel
ANSWERS_EACH = 3
PROVIDER_LATENCY = 0.05  # seconds per API call: the worker is mid-task most of the time
WEB_POOL_MAX = 4
WEBHOOK_READ_SECONDS = 3
SLOW_CLIENTS = 40
URNS = {
    "line": lambda n: f"line:{line_user_id(f'vecina-{n}')}",
    "telegram": lambda n: f"telegram:{700000 + n}",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Installation:
    """The test database as other processes reach it, and SQL over it."""

    def __init__(self, tmp_path: Path) -> None:
        db = connection.settings_dict
        if connection.vendor == "sqlite":
            # The test database lives in this process's memory: copy it to a file the
            # server and the worker share (WAL, as in production).
            self.path = tmp_path / "faults.sqlite3"
            with sqlite3.connect(self.path) as target:
                connection.ensure_connection()
                connection.connection.backup(target)
            self.url = f"sqlite:///{self.path}"
        else:
            self.path = None
            auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
            self.url = f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        self.processes: list[subprocess.Popen[bytes]] = []

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.path is not None:
            with sqlite3.connect(self.path, timeout=20) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "SECRET_KEY": settings.SECRET_KEY,
            "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
            "VENTANILLA_OTP_REQUIRED": "1",
            "AXES_ENABLED": "0",
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    def start(self, *args: str, application: str, **env: str) -> subprocess.Popen[bytes]:
        url_env = self.env(**env)
        if self.path is None:
            url_env["DATABASE_URL"] = f"{self.url}?application_name={application}"
        process = subprocess.Popen(
            [sys.executable, "-m", "ventanilla", *args],
            env=url_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()


@pytest.fixture
def installation(tmp_path: Path, fake_server: tuple[str, FakeHub], monkeypatch) -> Iterator[Any]:
    url, hub = fake_server
    with hub.lock:
        hub.received.clear()
        hub.faults.clear()
        hub.channels.clear()
    route = hub.route

    def slow_route(method: str, path: str, *args: Any) -> Any:
        if not path.startswith("/_control"):
            time.sleep(PROVIDER_LATENCY)
        return route(method, path, *args)

    monkeypatch.setattr(hub, "route", slow_route)
    council = make_council()
    channels = {
        provider: services.create_channel(
            council=council,
            provider=provider,
            name=provider,
            secrets=SECRETS[provider],
            api_base=f"{url}/{provider}",
            rate_per_second=1000,
        )
        for provider in ("line", "telegram")
    }
    for provider, channel in channels.items():
        for n in range(RESIDENTS):
            chat = conversation_for(channel=channel, urn=URNS[provider](n))
            for k in range(ANSWERS_EACH):
                queue_outbound(conversation=chat, text=f"Aviso {k} para {n}")
    system = Installation(tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    system.start(
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-collectstatic",
        application="ventanilla-web",
        PUBLIC_URL=base,
        DB_POOL_MAX=str(WEB_POOL_MAX),
        WEBHOOK_READ_SECONDS=str(WEBHOOK_READ_SECONDS),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        system.stop()
        pytest.fail("the web server did not start")
    for provider, channel in channels.items():
        data = {
            "provider": provider,
            "webhook_url": base + channel.webhook_path,
            "secrets": SECRETS[provider],
        }
        httpx.post(f"{url}/_control/channels", json=data).raise_for_status()
    system.fake_url, system.hub, system.channels = url, hub, channels  # type: ignore[attr-defined]
    system.base = base  # type: ignore[attr-defined]
    yield system
    system.stop()


def residents_write(system: Any, provider: str, count: int, tag: str) -> list[int]:
    statuses = []
    channel = system.channels[provider]
    for n in range(count):
        spec = {
            "from": f"vecina-{n}" if provider == "line" else str(700000 + n),
            "text": f"{tag} {n}: la farola sigue rota",
            "webhook_url": _webhook_url(system, channel),
        }
        response = httpx.post(f"{system.fake_url}/_control/{provider}/inbound", json=spec)
        statuses.append(response.json()["status"])
    return statuses


def _webhook_url(system: Any, channel: Any) -> str:
    found = [c for c in system.hub.channels if c.provider == channel.provider]
    return found[0].webhook_url


def worker(system: Any, application: str = "ventanilla-worker") -> subprocess.Popen[bytes]:
    return system.start(
        "worker",
        "--interval",
        "0.1",
        application=application,
        TASKS_RECLAIM_AFTER="3",
        SEND_LEASE_SECONDS="3",  # a send the killed worker had claimed is sent again soon
    )


def outbound_waiting(system: Any) -> int:
    [(count,)] = system.rows(
        "SELECT count(*) FROM conversations_message WHERE direction = 'out' AND status = 'queued'"
    )
    return count


def settle(system: Any, seconds: float) -> None:
    """Wait until nothing is left to send and no task is ready or running."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        tasks = dict(
            system.rows(
                "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
            )
        )
        if not outbound_waiting(system) and not tasks.get("READY") and not tasks.get("RUNNING"):
            return
        time.sleep(0.3)


def sends(system: Any, provider: str, marker: str = "") -> list[dict[str, Any]]:
    markers = (marker,) if marker else ("/message/push", "/message/reply", "/sendMessage")
    with system.hub.lock:
        return [
            r
            for r in system.hub.received
            if r["provider"] == provider and r["path"].endswith(markers)
        ]


def figures(system: Any) -> dict[str, int]:
    """Return what was stored and sent: the figures the hardening note reports."""
    [(inbound, distinct)] = system.rows(
        "SELECT count(*), count(DISTINCT provider_message_id) FROM conversations_message "
        "WHERE direction = 'in'"
    )
    outbound = dict(
        system.rows(
            "SELECT c.provider, count(*) FROM conversations_message m JOIN channels_channel c "
            "ON c.id = m.channel_id WHERE m.direction = 'out' GROUP BY c.provider"
        )
    )
    pushes = sends(system, "line", "/message/push")
    line_keys = Counter(c["headers"].get("x-line-retry-key") for c in pushes)
    replies = len(sends(system, "line", "/message/reply"))  # the dialog answers in time
    return {
        "inbound": inbound,
        "inbound_distinct": distinct,
        "outbound_line": outbound.get("line", 0),
        "outbound_telegram": outbound.get("telegram", 0),
        "line_accepted": len(line_keys) + replies,
        "line_retried_same_key": sum(line_keys.values()) - len(line_keys),
        "telegram_calls": len(sends(system, "telegram")),
        "not_sent": outbound_waiting(system),
        "failed_tasks": system.rows(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
        )[0][0],
    }


def test_a_worker_killed_mid_batch_loses_nothing(installation: Any) -> None:
    # The residents write before the worker starts: a worker that started first could send
    # everything queued while they were still writing, and then die with nothing left.
    written = residents_write(installation, "line", RESIDENTS, "antes")
    written += residents_write(installation, "telegram", RESIDENTS, "antes")
    first = worker(installation)
    deadline = time.monotonic() + 20
    while len(sends(installation, "line") + sends(installation, "telegram")) < 10:
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)  # mid-batch: a send is in flight most of the time
    first.wait(timeout=10)
    assert outbound_waiting(installation) > 0  # it died with work left
    written += residents_write(installation, "telegram", RESIDENTS, "durante")

    worker(installation)
    settle(installation, seconds=45)

    result = figures(installation)
    print("kill -9:", result)  # noqa: T201 - the figures the hardening note reports
    assert set(written) == {200}
    assert result["inbound"] == result["inbound_distinct"] == 3 * RESIDENTS
    assert result["not_sent"] == 0 and result["failed_tasks"] == 0
    assert result["line_accepted"] == result["outbound_line"]  # each LINE answer once
    assert result["telegram_calls"] >= result["outbound_telegram"]


def test_the_worker_outlives_a_database_outage_and_sends_everything(installation: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("cutting a process's connections needs a server: PostgreSQL")
    running = worker(installation, application="ventanilla-worker-outage")
    written = residents_write(installation, "telegram", RESIDENTS, "antes")
    deadline = time.monotonic() + 20
    while len(sends(installation, "line") + sends(installation, "telegram")) < 5:
        assert time.monotonic() < deadline, "the worker sent nothing"
        time.sleep(0.02)

    cut = 0
    outage_ends = time.monotonic() + 4
    while time.monotonic() < outage_ends:  # every connection the worker opens is cut
        cut += installation.rows(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE application_name = 'ventanilla-worker-outage'"
        )[0][0]
        time.sleep(0.1)
    written += residents_write(installation, "line", RESIDENTS, "después")
    settle(installation, seconds=45)

    result = figures(installation)
    print("outage:", result, "connections cut:", cut)  # noqa: T201 - for the note
    assert cut > 0
    assert running.poll() is None  # still running
    assert set(written) == {200}
    assert result["inbound"] == result["inbound_distinct"] == 2 * RESIDENTS
    assert result["not_sent"] == 0 and result["failed_tasks"] == 0
    assert result["line_accepted"] == result["outbound_line"]
    assert result["telegram_calls"] >= result["outbound_telegram"]


def test_slow_webhook_clients_hold_no_more_connections_than_the_pool(installation: Any) -> None:
    """Clients that declare a body and send six bytes of it: the others are still served."""
    if connection.vendor != "postgresql":
        pytest.skip("connections are counted in PostgreSQL's pg_stat_activity")
    path = installation.channels["telegram"].webhook_path
    port = int(installation.base.rsplit(":", 1)[1])
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
    ).encode()
    count_web = (
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ventanilla-web' "
        "AND datname = current_database()"
    )
    slow = []
    for _ in range(SLOW_CLIENTS):
        client = socket.create_connection(("127.0.0.1", port), timeout=WEBHOOK_READ_SECONDS + 10)
        client.sendall(head + b'{"upd')
        slow.append(client)
    peak, started = 0, time.monotonic()
    written = residents_write(installation, "telegram", 3, "mientras")  # served meanwhile
    while time.monotonic() - started < WEBHOOK_READ_SECONDS - 0.5:
        peak = max(peak, installation.rows(count_web)[0][0])
        time.sleep(0.1)
    served = httpx.get(f"{installation.base}/healthz", timeout=10).status_code
    for client in slow:  # their 408 was decided after WEBHOOK_READ_SECONDS; granian
        client.close()  # sends it once the body is in or the client gives up
    elapsed = time.monotonic() - started

    print(f"{SLOW_CLIENTS} slow webhook clients: peak connections {peak}")  # noqa: T201
    assert peak <= WEB_POOL_MAX
    assert set(written) == {200} and served == 200
    assert elapsed < WEBHOOK_READ_SECONDS + 10
