"""Dispatch benchmark (not a test): outbound messages per second, and a channel's rate held.

One run, on PostgreSQL, everything on 127.0.0.1. nginx (Debian's ``nginx-light``) stands in
for WhatsApp's send endpoint, answering each request with a unique message id
(``$request_id``), so the fake is not the bottleneck. Then:

1. N replies are queued in one transaction (the time it takes is printed), on a channel
   without a rate limit, and ``--task-workers`` ``ventanilla worker`` processes send them:
   messages per second, from the first to the last ``sent_at``;
2. the same on a channel limited to ``--rate`` messages per second: the rate it held,
   measured from the sent timestamps, and its error against the limit;
3. the resident memory of the largest worker process.

``.venv/bin/python bench/dispatch.py --help`` for the knobs; it creates and drops its own
database, ``bench_dispatch``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from ingest import count, rss_mb  # noqa: E402 - the sibling benchmark's helpers

DB = "bench_dispatch"
PHONE_ID = "106540352242922"

NGINX_CONF = """
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path {work}/body;
    server {{
        listen 127.0.0.1:{port};
        default_type application/json;
        location / {{
        return 200 '{{"messaging_product":"whatsapp","messages":[{{"id":"wamid.$request_id"}}]}}';
        }}
    }}
}}
"""

#: run with the installation's settings: N conversations in the window, then N replies
#: queued in one transaction; prints the seconds the queueing took
QUEUE = textwrap.dedent("""
    import sys, time, django
    django.setup()
    from django.db import transaction
    from django.utils import timezone
    from ventanilla.channels.models import Channel
    from ventanilla.citizens.services import bulk_find_or_create_citizens
    from ventanilla.conversations.models import Conversation
    from ventanilla.conversations.services import bulk_conversations, queue_outbound
    channel = Channel.objects.get(pk=int(sys.argv[1]))
    count, base = int(sys.argv[2]), int(sys.argv[3])
    urns = [f"whatsapp:+346{base + n:08d}" for n in range(count)]
    citizens = bulk_find_or_create_citizens(council=channel.council, urns=urns)
    bulk_conversations(channel=channel, citizens=citizens)
    chats = Conversation.objects.filter(channel=channel, urn__in=urns)
    chats.update(last_inbound_at=timezone.now())
    chats = list(chats.select_related("channel", "citizen", "council"))
    began = time.monotonic()
    with transaction.atomic():
        for chat in chats:
            queue_outbound(conversation=chat, text="Su incidencia 2026-000123 está en curso.")
    print(time.monotonic() - began)
""")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--rate", type=float, default=80.0)
    parser.add_argument("--rate-seconds", type=int, default=30)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--nginx-port", type=int, default=0, help="0: a free one")
    args, _unknown = parser.parse_known_args()  # bench/run.py passes its own
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx is missing: apt-get install -y nginx-light")
        return 2
    venv = Path(sys.executable).parent
    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")
    db_url = args.pg.rsplit("/", 1)[0] + "/" + DB
    work = Path(tempfile.mkdtemp(prefix="bench-dispatch-"))
    (work / "body").mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DJANGO_SETTINGS_MODULE": "ventanilla.settings",
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "VENTANILLA_OTP_REQUIRED": "1",
    }
    ventanilla = str(venv / "ventanilla")
    if not args.nginx_port:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            args.nginx_port = probe.getsockname()[1]
    api = f"http://127.0.0.1:{args.nginx_port}"

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{command}: {done.stderr[-2000:]}")
        return done.stdout

    def channel(name: str, rate: float) -> int:
        added = run(
            ventanilla, "add_channel", "whatsapp", "--name", name, "--phone-number-id", PHONE_ID,
            "--access-token", "t", "--app-secret", "s", "--verify-token", "v",
            "--api-base", api, "--rate", str(rate), "--json",
        )  # fmt: skip
        return int(json.loads(added.strip().splitlines()[-1])["id"])

    run(ventanilla, "migrate", "--noinput")
    run(ventanilla, "demo", "--no-serve")
    fast = channel("bench unlimited", 1000)
    with psycopg.connect(db_url, autocommit=True) as db:  # unlimited: the admin's word for it
        db.execute("update channels_channel set rate_per_second = 0 where id = %s", (fast,))
    limited = channel("bench limited", args.rate)
    conf = work / "nginx.conf"
    conf.write_text(NGINX_CONF.format(work=work, port=args.nginx_port))
    processes: list[subprocess.Popen[bytes]] = []

    def start(*command: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            command, cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        processes.append(process)
        return process

    def sent(channel_id: int) -> tuple[int, float, float]:
        with psycopg.connect(db_url) as db:
            row = db.execute(
                "select count(*), extract(epoch from min(sent_at)),"
                " extract(epoch from max(sent_at)) from conversations_message"
                " where channel_id = %s and status = 'sent'",
                (channel_id,),
            ).fetchone()
        assert row is not None
        return int(row[0]), float(row[1] or 0), float(row[2] or 0)

    def drain(channel_id: int, total: int, limit: float) -> tuple[int, float, float]:
        began = time.monotonic()
        while time.monotonic() - began < limit:
            done = sent(channel_id)
            if done[0] >= total:
                return done
            time.sleep(0.5)
        return sent(channel_id)

    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    try:
        server = start(nginx, "-c", str(conf), "-p", str(work), "-g", "daemon off;")
        time.sleep(0.5)
        if server.poll() is not None:
            raise SystemExit(f"nginx did not start: {(work / 'nginx-error.log').read_text()}")
        queue_seconds = float(
            run(str(venv / "python"), "-c", QUEUE, str(fast), str(args.messages), "0").split()[-1]
        )
        workers = [start(ventanilla, "worker") for _ in range(args.task_workers)]
        fast_sent, first, last = drain(fast, args.messages, 300)
        fast_rate = (fast_sent - 1) / (last - first) if last > first else 0.0
        worker_rss = rss_mb([w.pid for w in workers])
        wanted = int(args.rate * args.rate_seconds)
        run(str(venv / "python"), "-c", QUEUE, str(limited), str(wanted), "50000000")
        slow_sent, first, last = drain(limited, wanted, args.rate_seconds * 3 + 60)
        slow_seconds = last - first
        held = (slow_sent - 1) / slow_seconds if slow_seconds > 0 else 0.0
        failed = count(db_url, "select count(*) from conversations_message where status='failed'")
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        time.sleep(1)
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    print(f"load average before: {load}; {args.task_workers} task workers; nginx as WhatsApp")
    print(f"queued {args.messages} replies in one transaction: {queue_seconds:.1f} s")
    print(f"outbound, unlimited channel: {fast_sent} sent, {fast_rate:.0f} messages/s")
    error = (held / args.rate - 1) * 100 if args.rate else 0.0
    print(
        f"channel limited to {args.rate:g}/s: {slow_sent} sent, held {held:.1f}/s ({error:+.1f} %)"
        f" in {slow_seconds:.0f} s (at exactly the rate: {(slow_sent - 1) / args.rate:.0f} s)"
    )
    print(f"failed: {failed}; RSS: task worker {worker_rss:.0f} MB (largest process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
