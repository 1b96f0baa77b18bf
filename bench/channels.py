"""Channels benchmark (not a test): webhooks stored and messages sent per second.

On PostgreSQL, with the production server command (``ventanilla serve``: granian, several
worker processes) on 127.0.0.1, it measures in one run:

1. the bare rate of ``/healthz`` (Django plus one ``SELECT 1``), for comparison;
2. signed WhatsApp webhooks per second, each one a new message stored (resident, conversation,
   message, live event, dialog task), from N concurrent clients;
3. outbound messages per second delivered to the WhatsApp fake by ``ventanilla worker``
   processes. The fake answers each send with a message id; its status webhooks are not
   posted back (they take the same path as the webhooks of step 2, measured there, and the
   fake's one-thread-and-one-client-per-status delivery would make it the bottleneck).

Other processes on the machine skew the figures: the load average is printed with them.

Run it with ``.venv/bin/python bench/channels.py`` (``--help`` for the knobs). It creates and
drops its own database, ``bench_channels``, on the PostgreSQL server given by ``--pg``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "bench_channels"
SECRETS = {
    "phone_number_id": "106540352242922",
    "access_token": "bench-access-token",
    "app_secret": "bench-app-secret",
    "verify_token": "bench-verify-token",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--port", type=int, default=8411)
    parser.add_argument("--web-workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--inbound", type=int, default=3000, help="webhooks to send (at most)")
    parser.add_argument("--outbound", type=int, default=1000, help="messages to send")
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=30, help="time limit per phase")
    args, _ = parser.parse_known_args()  # bench/run.py passes the same options to every script

    database_url = recreate_database(args.pg)
    home = Path(tempfile.mkdtemp(prefix="bench-channels-"))
    web_url = f"http://127.0.0.1:{args.port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + base64.b64encode(os.urandom(24)).decode(),
        "VENTANILLA_HOME": str(home),
        "PUBLIC_URL": web_url,
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    channel, hub, server = set_up_channel(web_url)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            start(
                [
                    *cli(),
                    "serve",
                    "--port",
                    str(args.port),
                    "--workers",
                    str(args.web_workers),
                    "--no-collectstatic",
                ],
                env,
            )
        )
        wait_until_up(f"{web_url}/healthz")
        print(f"load average before: {load()}")
        print(
            f"PostgreSQL, granian with {args.web_workers} web workers, {os.cpu_count()} CPUs, "
            f"{args.clients} concurrent clients, all on 127.0.0.1"
        )

        # Each phase is measured apart, so a slow one does not hide in an average.
        hello = asyncio.run(hammer_get(f"{web_url}/healthz", args.clients, min(args.seconds, 10)))
        print(f"bare Django (/healthz):       {hello:8.0f} requests/s")

        stored, elapsed, statuses = inbound_phase(channel, args, web_url)
        print(
            f"signed webhooks stored:       {stored / elapsed:8.0f} messages/s "
            f"({stored} in {elapsed:.1f} s; answers {statuses})"
        )

        sent, span, wall = outbound_phase(channel, args, env, processes)
        print(
            f"messages sent to the fake:    {sent / span:8.0f} messages/s "
            f"({sent} with {args.task_workers} workers: {span:.1f} s first to last send, "
            f"{wall:.1f} s including worker start-up)"
        )
        print(f"load average after: {load()}")
    finally:
        for process in processes:
            stop(process)
        server.shutdown()
        drop_database(args.pg)
        shutil.rmtree(home, ignore_errors=True)


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# -- set-up ----------------------------------------------------------------------------


def recreate_database(admin_url: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    return admin_url.rsplit("/", 1)[0] + f"/{DB_NAME}"


def drop_database(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def set_up_channel(web_url: str) -> tuple[Any, Any, Any]:
    from ventanilla.channels.services import create_channel
    from ventanilla.core.models import Council
    from ventanilla.fakes.server import start as start_fakes
    from ventanilla.fakes.simulator import register_channels

    council = Council.objects.create(
        slug="bench", name="Ayuntamiento de Banco", jurisdiction_id="bench.example.org"
    )
    server, hub = start_fakes()
    hub.deliver_later = lambda deliveries, delay: None  # no status webhooks (see above)
    channel = create_channel(
        council=council,
        provider="whatsapp",
        name="WhatsApp",
        secrets=SECRETS,
        api_base=f"{hub.base_url}/whatsapp",
        rate_per_second=100_000,  # measure the machine, not the throttle
    )
    register_channels(hub, channels=[channel], web_url=web_url)
    return channel, hub, server


def cli() -> list[str]:
    return [sys.executable, "-m", "ventanilla"]


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the server did not answer at {url}")


# -- phases ----------------------------------------------------------------------------


async def hammer_get(url: str, clients: int, seconds: float) -> float:
    """Return requests per second answered 200 by ``url`` under ``clients`` loops."""
    done = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def loop() -> None:
            nonlocal done
            while time.monotonic() < deadline:
                response = await client.get(url)
                done += response.status_code == 200

        started = time.monotonic()
        await asyncio.gather(*(loop() for _ in range(clients)))
        return done / (time.monotonic() - started)


def webhook(index: int, residents: int) -> bytes:
    phone = f"346{index % residents:08d}"
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "34910000000",
            "phone_number_id": SECRETS["phone_number_id"],
        },
        "contacts": [{"profile": {"name": f"Vecina {index % residents}"}, "wa_id": phone}],
        "messages": [
            {
                "from": phone,
                "id": f"wamid.BENCH{index:010d}",
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": f"Aviso número {index}: farola apagada en la calle Mayor"},
            }
        ],
    }
    change = {"field": "messages", "value": value}
    data = {"object": "whatsapp_business_account", "entry": [{"id": "0", "changes": [change]}]}
    return json.dumps(data, separators=(",", ":")).encode()


def inbound_phase(
    channel: Any, args: argparse.Namespace, web_url: str
) -> tuple[int, float, dict[int, int]]:
    from ventanilla.conversations.models import Message

    url = web_url + channel.webhook_path
    bodies = [webhook(i, args.residents) for i in range(args.inbound)]
    secret = SECRETS["app_secret"].encode()
    signed = [
        (
            body,
            {
                "Content-Type": "application/json",
                "X-Hub-Signature-256": "sha256="
                + hmac.new(secret, body, hashlib.sha256).hexdigest(),
            },
        )
        for body in bodies
    ]
    statuses: dict[int, int] = {}

    async def run() -> float:
        queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
        for item in signed:
            queue.put_nowait(item)
        deadline = time.monotonic() + args.seconds
        limits = httpx.Limits(max_connections=args.clients, max_keepalive_connections=args.clients)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:

            async def loop() -> None:
                while time.monotonic() < deadline:
                    try:
                        body, headers = queue.get_nowait()
                    except asyncio.QueueEmpty:
                        return
                    response = await client.post(url, content=body, headers=headers)
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

            started = time.monotonic()
            await asyncio.gather(*(loop() for _ in range(args.clients)))
            return time.monotonic() - started

    elapsed = asyncio.run(run())
    stored = Message.objects.filter(channel=channel, direction="in").count()
    return stored, elapsed, statuses


def outbound_phase(
    channel: Any, args: argparse.Namespace, env: dict[str, str], processes: list[Any]
) -> tuple[int, float, float]:
    from django.db.models import Max, Min
    from django_tasks_db.models import DBTaskResult

    from ventanilla.conversations.models import Conversation, Message
    from ventanilla.conversations.services import queue_outbound

    # The dialog's answers to the inbound phase would add sends of their own: drop them.
    DBTaskResult.objects.all().delete()
    conversations = list(Conversation.objects.filter(channel=channel))
    ids = [
        queue_outbound(
            conversation=conversations[n % len(conversations)],
            text=f"Hemos recibido su aviso. Referencia 2026-{n:06d}.",
        ).pk
        for n in range(args.outbound)
    ]
    wall_start = time.monotonic()
    for _ in range(args.task_workers):
        processes.append(start([*cli(), "worker", "--interval", "0.1"], env))
    pending = Message.objects.filter(pk__in=ids, status="queued")
    deadline = time.monotonic() + max(args.seconds, 60)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    wall = time.monotonic() - wall_start
    sent = Message.objects.filter(pk__in=ids, status__in=["sent", "delivered", "read"])
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    count = sent.count()
    seconds = (span["last"] - span["first"]).total_seconds() if count > 1 else wall
    return count, max(seconds, 1e-6), wall


if __name__ == "__main__":
    main()
