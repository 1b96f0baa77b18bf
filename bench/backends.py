"""Task backends benchmark (not a test): outbound messages/s with the database queue and with rq.

For each backend (``TASKS_BACKEND=database``, then ``rq`` on Redis), in one run on PostgreSQL:

1. a fresh database with a council and a WhatsApp channel whose ``api_base`` is a local nginx
   (Debian's ``nginx-light``) answering every send with WhatsApp's response and a unique
   message id (``$request_id``), so the fake provider is not the bottleneck;
2. N outbound messages queued through the project's own service (``queue_outbound``, one
   transaction; its tasks are enqueued on commit, into the table or into Redis);
3. ``--task-workers`` ``ventanilla worker`` processes started, and the time taken until every
   message is SENT. The rate is measured between the first and the last ``sent_at``, so the
   workers' start-up is not counted.

The figures are printed side by side, with the load average. It writes only its own
database (``bench_backends``, dropped and created) and an empty Redis database number of its
own (emptied afterwards). ``.venv/bin/python bench/backends.py --help`` for the knobs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import redis

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dispatch import NGINX_CONF  # noqa: E402 - the sibling benchmark's stand-in for WhatsApp
from ingest import count  # noqa: E402

DB = "bench_backends"
#: run inside ``ventanilla shell``: a council, a WhatsApp channel and N queued messages
QUEUE_MESSAGES = """
import sys
from django.db import transaction
from ventanilla.channels import services as channels
from ventanilla.conversations.services import conversation_for, queue_outbound
from ventanilla.core.models import Council

council = Council.objects.create(slug="bench", name="Bench", jurisdiction_id="bench.example.org")
channel = channels.create_channel(
    council=council, provider="whatsapp", name="bench", api_base="{api_base}",
    secrets={{"phone_number_id": "106540352242922", "access_token": "t", "app_secret": "s",
              "verify_token": "v"}},
    rate_per_second=100000,
)
template = {{"name": "aviso", "language": "es"}}
with transaction.atomic():
    for n in range({count}):
        chat = conversation_for(channel=channel, urn=f"whatsapp:3460{{n:07d}}")
        queue_outbound(conversation=chat, text=f"Aviso {{n}}", template=template)
"""


def empty_redis_db(host: str, port: int) -> int:
    """Return an empty Redis database number, claimed for this run."""
    for number in range(15, 0, -1):
        client = redis.Redis(host=host, port=port, db=number)
        if client.dbsize() == 0 and client.set("ventanilla:bench-claim", os.getpid(), nx=True):
            return number
    raise SystemExit("no empty Redis database number left")


def measure(backend: str, args: argparse.Namespace, redis_url: str) -> dict[str, float]:
    """Queue the messages with ``backend``, send them with the workers; return the figures."""
    venv = Path(sys.executable).parent
    ventanilla = str(venv / "ventanilla")
    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")
    db_url = args.pg.rsplit("/", 1)[0] + "/" + DB
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "TASKS_BACKEND": backend,
        "REDIS_URL": redis_url,
    }
    work = Path(tempfile.mkdtemp(prefix=f"bench-backends-{backend}-"))

    def run(*command: str) -> None:
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{command[:3]}: {done.stderr[-2000:]}")

    run(ventanilla, "migrate", "--noinput")
    api_base = f"http://127.0.0.1:{args.nginx_port}"
    began = time.monotonic()
    run(ventanilla, "shell", "-c", QUEUE_MESSAGES.format(api_base=api_base, count=args.messages))
    queueing = time.monotonic() - began
    sent = "select count(*) from conversations_message where direction='out' and status='sent'"
    workers = [
        subprocess.Popen(
            [ventanilla, "worker"],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(args.task_workers)
    ]
    try:
        deadline = time.monotonic() + args.timeout
        while count(db_url, sent) < args.messages and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
    done = count(db_url, sent)
    span = count(
        db_url,
        "select coalesce(extract(epoch from max(sent_at) - min(sent_at)) * 1000, 0) "
        "from conversations_message where direction='out' and status='sent'",
    )
    seconds = span / 1000
    return {
        "sent": done,
        "queueing": queueing,
        "seconds": seconds,
        "rate": (done - 1) / seconds if seconds > 0 else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--nginx-port", type=int, default=8631)
    parser.add_argument("--redis", default="127.0.0.1:6379", help="host:port")
    parser.add_argument("--timeout", type=float, default=300, help="seconds, per backend")
    parser.add_argument("--backends", default="database,rq")
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        print("nginx is missing: apt-get install nginx-light")
        return 2
    host, port = args.redis.split(":")
    number = empty_redis_db(host, int(port))
    redis_url = f"redis://{host}:{port}/{number}"
    work = Path(tempfile.mkdtemp(prefix="bench-backends-nginx-"))
    (work / "body").mkdir()
    (work / "nginx.conf").write_text(NGINX_CONF.format(work=work, port=args.nginx_port))
    provider = subprocess.Popen(
        [nginx, "-p", str(work), "-c", str(work / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    results = {}
    try:
        time.sleep(0.5)
        for backend in args.backends.split(","):
            results[backend] = measure(backend, args, redis_url)
            redis.Redis(host=host, port=int(port), db=number).flushdb()
            redis.Redis(host=host, port=int(port), db=number).set("ventanilla:bench-claim", 1)
    finally:
        provider.terminate()
        provider.wait(timeout=10)
        redis.Redis(host=host, port=int(port), db=number).flushdb()
    print(
        f"load average before: {load}; {args.task_workers} worker processes, "
        f"{args.messages} WhatsApp messages to nginx on 127.0.0.1"
    )
    names = list(results)
    print(f"{'':34}" + "".join(f"{name:>12}" for name in names))
    rows = [
        ("messages sent", "sent", "{:12.0f}"),
        ("queueing them (s, with start-up)", "queueing", "{:12.1f}"),
        ("sending them (s)", "seconds", "{:12.1f}"),
        ("messages/s dispatched", "rate", "{:12.0f}"),
    ]
    for label, key, shape in rows:
        print(f"{label:34}" + "".join(shape.format(results[name][key]) for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
