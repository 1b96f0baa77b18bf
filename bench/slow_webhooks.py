"""Slow webhook clients benchmark (not a test): connections held, and whether others are served.

Starts ``ventanilla serve`` (granian, ``--workers`` processes) on a fresh PostgreSQL
database, opens ``--clients`` connections that each POST to a webhook declaring
``Content-Length: 1000`` and sending six bytes, then for ``--seconds`` samples the server's
connections to that database (``pg_stat_activity``) and times ``/healthz`` (one query) from
another client. Before the webhook read its body first and connections were pooled, each
slow client held a connection; now the web processes hold at most
``workers x DB_POOL_MAX``.

Run: ``.venv/bin/python bench/slow_webhooks.py --pg postgres://postgres@127.0.0.1:5432/postgres``
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

import httpx
import psycopg

DB_NAME = "bench_slow_webhooks"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool-max", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--port", type=int, default=18231)
    args = parser.parse_args()

    with psycopg.connect(args.pg, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB_NAME}"')
    url = args.pg.rsplit("/", 1)[0] + f"/{DB_NAME}"
    env = {
        **os.environ,
        "DATABASE_URL": url + "?application_name=bench-web",
        "DB_POOL_MAX": str(args.pool_max),
        "WEBHOOK_READ_SECONDS": "10",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": "bench-slow-webhooks",
    }
    cli = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*cli, "migrate", "-v0"], env=env, check=True)
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(args.port), "--workers", str(args.workers)]
        + ["--no-collectstatic"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        head = (
            f"POST /hooks/telegram/1/ HTTP/1.1\r\nHost: 127.0.0.1:{args.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        ).encode()
        slow = []
        for _ in range(args.clients):
            client = socket.create_connection(("127.0.0.1", args.port))
            client.sendall(head + b'{"upd')
            slow.append(client)
        peak, latencies, failures = 0, [], 0
        count = (
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = 'bench-web' AND datname = %s"
        )
        with psycopg.connect(url, autocommit=True) as watcher:
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                [(held,)] = watcher.execute(count, [DB_NAME]).fetchall()
                peak = max(peak, held)
                started = time.monotonic()
                try:
                    ok = httpx.get(f"{base}/healthz", timeout=5).status_code == 200
                except httpx.HTTPError:
                    ok = False
                failures += not ok
                latencies.append(time.monotonic() - started)
                time.sleep(0.2)
        for client in slow:
            client.close()
        latencies.sort()
        print(
            f"slow clients: {args.clients}, web processes: {args.workers}, "
            f"DB_POOL_MAX: {args.pool_max} (bound {args.workers * args.pool_max})"
        )
        print(f"peak connections held by the web server: {peak}")
        print(
            f"/healthz meanwhile: {len(latencies)} requests, {failures} failed, "
            f"median {latencies[len(latencies) // 2] * 1000:.0f} ms, "
            f"max {latencies[-1] * 1000:.0f} ms"
        )
        print(f"load average: {os.getloadavg()[0]:.2f}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


if __name__ == "__main__":
    main()
