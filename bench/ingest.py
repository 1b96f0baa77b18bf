"""Ingest benchmark (not a test): webhooks per second as a share of a bare Django view.

One run, on PostgreSQL, everything on 127.0.0.1, load from ``wrk`` (Debian's package; one
thread, 32 connections, so the client is not the bottleneck):

1. a bare Django view (no middleware, no database) under granian with the same workers;
2. ``/healthz`` (the project's middleware and one query);
3. signed WhatsApp delivery statuses, distinct, each stored (``ventanilla serve``);
4. the stored statuses applied by ``ventanilla worker`` processes (for up to a minute; the
   web server is idle meanwhile);
5. signed WhatsApp inbound texts from distinct residents, each stored;
6. the stored texts processed by the workers (up to a minute): messages stored per second,
   and the dialog's replies queued per second (a first message gets the privacy notice);
7. residents' reports, three messages each (the report, "Acepto", "Sí"), stored in order
   (texts left from 6 are dropped first) and processed by the workers (up to a minute):
   messages per second and cases opened per second (the reference sent to the resident);
8. the resident memory of the web and worker processes.

Each rate is printed with its share of (1). Figures drift on shared machines: compare shares
within one run. ``.venv/bin/python bench/ingest.py --help`` for the knobs; it creates and
drops its own database, ``bench_ingest``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
DB = "bench_ingest"
PHONE_ID = "106540352242922"
APP_SECRET = "bench-app-secret"


def bodies(kind: str, count: int, out: Path) -> None:
    """Write ``count`` signed WhatsApp webhooks, one '<signature>\\t<body>' a line."""
    now = int(time.time())
    meta = {"display_phone_number": "34910000000", "phone_number_id": PHONE_ID}
    with out.open("w") as file:
        for i in range(count):
            if kind == "status":
                value = {
                    "messaging_product": "whatsapp",
                    "metadata": meta,
                    "statuses": [
                        {
                            "id": f"wamid.BENCH{now}{i:08d}",
                            "status": "delivered",
                            "timestamp": str(now),
                            "recipient_id": f"346{i % 100000:08d}",
                        }
                    ],
                }
            else:
                value = text_value(
                    f"347{i:08d}",
                    f"wamid.IN{now}{i:08d}",
                    now,
                    "Hay una farola apagada en la calle Mayor 3",
                    f"Vecino {i}",
                )
            body, signature = signed(value)
            file.write(f"{signature}\t{body.decode()}\n")


def text_value(wa: str, message_id: str, timestamp: int, text: str, name: str) -> dict:
    """Return the ``value`` of a WhatsApp webhook carrying one resident's text."""
    return {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "34910000000", "phone_number_id": PHONE_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": wa}],
        "messages": [
            {
                "from": wa,
                "id": message_id,
                "timestamp": str(timestamp),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }


def signed(value: dict) -> tuple[bytes, str]:
    """Return the webhook body carrying ``value`` and its X-Hub-Signature-256 header."""
    entry = {"id": "1", "changes": [{"field": "messages", "value": value}]}
    body = json.dumps(
        {"object": "whatsapp_business_account", "entry": [entry]}, separators=(",", ":")
    ).encode()
    return body, "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def wrk(url: str, seconds: int, *, script: Path | None = None, env: dict[str, str] | None = None):
    command = ["wrk", "-t1", "-c32", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run(
        [*command, url], capture_output=True, text=True, env={**os.environ, **(env or {})}
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p99.group(1) if p99 else "?", int(errors.group(1)) if errors else 0


def rss_mb(pids: list[int]) -> float:
    """Return the largest resident set (MB) among ``pids`` and their children."""
    found = set(pids)
    for pid in pids:
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        found.update(int(child) for child in children)
    largest = 0
    for pid in found:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            largest = max(largest, int(match.group(1)))
    return largest / 1024


def count(pg: str, sql: str) -> int:
    with psycopg.connect(pg) as connection:
        return int(connection.execute(sql).fetchone()[0])  # type: ignore[index]


def stage_reports(db_url: str, channel_id: int, url: str, residents: int) -> int:
    """Store, as the webhook would, three WhatsApp messages from each of ``residents`` new
    residents: a report, "Acepto" (the privacy notice) and "Sí" (the category): a case.

    Written straight to the table, in order (through wrk, a resident's three messages could
    arrive in any order), with the headers the webhook keeps. Return how many rows.
    """
    now = int(time.time())
    script = ("Hay una farola apagada en la calle Mayor 3", "Acepto", "Sí")
    moment = dt.datetime.now(dt.UTC)
    rows = 0
    with psycopg.connect(db_url) as connection, connection.cursor() as cursor:
        columns = (
            "channel_id, digest, received_at, request, body, state, attempts, not_before,"
            " last_error"
        )
        with cursor.copy(f"COPY conversations_webhookdelivery ({columns}) FROM STDIN") as copy:
            for i in range(residents):
                wa = f"348{i:08d}"
                for turn, text in enumerate(script):
                    value = text_value(
                        wa, f"wamid.CASE{now}{i:08d}{turn}", now + turn, text, f"Vecina {i}"
                    )
                    body, signature = signed(value)
                    headers = {
                        "content-type": "application/json",
                        "x-hub-signature-256": signature,
                    }
                    request = {"method": "POST", "url": url, "headers": headers}
                    digest = hashlib.sha256(url.encode() + b"\n" + body).hexdigest()
                    row = (channel_id, digest, moment, json.dumps(request), body, "pending")
                    copy.write_row((*row, 0, moment, ""))
                    rows += 1
    return rows


@dataclass
class Backlog:
    """What the workers did with a stored backlog: rates per second over the run."""

    waiting: int
    seconds: float
    deliveries: float
    messages: float
    replies: float
    cases: float
    rss: float


def backlog(start, stop, ventanilla: str, db_url: str, workers: int) -> Backlog:  # type: ignore[no-untyped-def]
    """Start ``workers`` worker processes on what is stored, for up to a minute, then stop them."""
    pending = "select count(*) from conversations_webhookdelivery where state = 'pending'"
    done = "select count(*) from conversations_webhookdelivery where state = 'done'"
    inbound = "select count(*) from conversations_message where direction = 'in'"
    replies = "select count(*) from conversations_message where direction = 'out'"
    cases = "select count(*) from cases_case"
    queries = (done, inbound, replies, cases)
    before = [count(db_url, sql) for sql in queries]
    waiting = count(db_url, pending)
    running = [start(ventanilla, "worker") for _ in range(workers)]
    began = time.monotonic()
    while time.monotonic() - began < 60.0 and count(db_url, pending):
        time.sleep(0.5)
    seconds = time.monotonic() - began
    after = [count(db_url, sql) for sql in queries]
    rss = rss_mb([process.pid for process in running])
    stop(running)
    rates = [(a - b) / seconds for a, b in zip(after, before, strict=True)]
    return Backlog(waiting, seconds, *rates, rss=rss)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--task-workers", type=int, default=2)
    parser.add_argument("--web-threads", type=int, default=0, help="serve --threads (0: default)")
    parser.add_argument("--port", type=int, default=8621)
    parser.add_argument("--reports", type=int, default=12000, help="residents who report")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk")
        return 2
    venv = Path(sys.executable).parent
    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB}")
    db_url = args.pg.rsplit("/", 1)[0] + "/" + DB
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": "bench-secret-key-0123456789abcdef",
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_URL": f"http://127.0.0.1:{args.port}",
        "LOG_LEVEL": "WARNING",
        "VENTANILLA_OTP_REQUIRED": "1",
    }
    ventanilla = str(venv / "ventanilla")

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{command}: {done.stderr[-2000:]}")
        return done.stdout

    run(ventanilla, "migrate", "--noinput")
    run(ventanilla, "demo", "--no-serve")
    added = run(
        ventanilla, "add_channel", "whatsapp", "--name", "bench", "--phone-number-id", PHONE_ID,
        "--access-token", "t", "--app-secret", APP_SECRET, "--verify-token", "v",
        "--api-base", "http://127.0.0.1:9", "--json",
    )  # fmt: skip
    channel = json.loads(added.strip().splitlines()[-1])
    hook, channel_id = channel["webhook_path"], channel["id"]
    status_file, text_file = work / "status.txt", work / "text.txt"
    bodies("status", 400_000, status_file)
    bodies("text", 200_000, text_file)
    processes: list[subprocess.Popen[bytes]] = []

    def start(*command: str, cwd: Path = work) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        processes.append(process)
        return process

    def stop(running: list[subprocess.Popen[bytes]]) -> None:
        for process in running:
            os.killpg(process.pid, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            processes.remove(process)

    try:
        web = start(
            ventanilla, "serve", "--port", str(args.port), "--workers", str(args.web_workers),
            "--threads", str(args.web_threads), "--no-collectstatic",
        )  # fmt: skip
        hello_port = args.port + 1
        start(
            str(venv / "python"), "-m", "granian", "--interface", "wsgi", "--workers",
            str(args.web_workers), "--host", "127.0.0.1", "--port", str(hello_port),
            "hello_app:application", cwd=HERE / "hello",
        )  # fmt: skip
        for _ in range(120):
            ready = (
                subprocess.run(
                    ["curl", "-fs", f"http://127.0.0.1:{args.port}/healthz"], capture_output=True
                ).returncode
                == 0
                and subprocess.run(
                    ["curl", "-fs", f"http://127.0.0.1:{hello_port}/"], capture_output=True
                ).returncode
                == 0
            )
            if ready:
                break
            time.sleep(0.5)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        base = f"http://127.0.0.1:{args.port}"
        rows = []
        hello = wrk(f"http://127.0.0.1:{hello_port}/", args.seconds)
        rows.append(("bare Django view (no middleware, no database)", *hello))
        rows.append(("/healthz (middleware + one query)", *wrk(f"{base}/healthz", args.seconds)))
        lua = HERE / "ingest_post.lua"
        status = wrk(
            base, args.seconds, script=lua, env={"HOOK_PATH": hook, "BODIES": str(status_file)}
        )
        rows.append(("signed status webhooks, stored", *status))
        web_rss = rss_mb([web.pid])
        # 4. The workers apply the stored statuses (nothing else competes for the cores).
        statuses_run = backlog(start, stop, ventanilla, db_url, args.task_workers)
        text = wrk(
            base, args.seconds, script=lua, env={"HOOK_PATH": hook, "BODIES": str(text_file)}
        )
        rows.append(("signed inbound texts, stored", *text))
        web_rss = max(web_rss, rss_mb([web.pid]))
        # 5. The workers process the stored texts: residents, messages, the dialog's answers.
        texts_run = backlog(start, stop, ventanilla, db_url, args.task_workers)
        # 6. Residents' reports, three messages each, to a case opened and its reference sent,
        # on an empty queue (texts the workers did not reach in their minute are dropped).
        with psycopg.connect(db_url) as connection:
            connection.execute("DELETE FROM conversations_webhookdelivery WHERE state = 'pending'")
        staged = stage_reports(db_url, channel_id, env["PUBLIC_URL"] + hook, args.reports)
        reports_run = backlog(start, stop, ventanilla, db_url, args.task_workers)
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
    print(
        f"load average before: {load}; {args.web_workers} web and {args.task_workers} task workers"
        f" ({args.web_threads or 'default'} request threads a web worker)"
    )
    print(f"{'what':52} {'req/s':>9} {'share':>7} {'p99':>9} {'non-2xx':>8}")
    for name, rate, p99, errors in rows:
        print(f"{name:52} {rate:9.0f} {rate / hello[0]:7.3f} {p99:>9} {errors:8d}")
    processing = [
        ("stored statuses applied by the workers", statuses_run.deliveries),
        ("stored texts processed by the workers", texts_run.deliveries),
        ("... residents' messages stored", texts_run.messages),
        ("... answered by the dialog (reply queued)", texts_run.replies),
        ("reports (3 messages each) processed: messages", reports_run.messages),
        ("... cases opened (reference sent)", reports_run.cases),
    ]
    for name, rate in processing:
        print(f"{name:52} {rate:9.0f} {rate / hello[0]:7.3f}")
    print(f"({staged} report messages staged from {args.reports} residents)")
    for name, run in (("statuses", statuses_run), ("texts", texts_run), ("reports", reports_run)):
        print(
            f"({name}: {run.waiting} deliveries were waiting; the workers ran {run.seconds:.0f} s)"
        )
    worker_rss = max(statuses_run.rss, texts_run.rss, reports_run.rss)
    print(f"RSS: web {web_rss:.0f} MB, task worker {worker_rss:.0f} MB (largest process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
