"""Mail gateway benchmark (not a test): messages stored per second through real SMTP.

In a fresh working directory (SQLite, or ``--pg`` for a fresh PostgreSQL database), sets up
a council with an e-mail channel, starts ``ventanilla mail_gateway`` and sends ``--count``
messages from ``--senders`` residents over one SMTP connection each, every ``--photo``-th one
with a photo; prints how many the gateway accepted per second (each is stored, with its
dialog task queued, before the 250 answer).

Run: ``.venv/bin/python bench/mail_gateway.py --count 300``
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

ADDRESS = "buzon@ayuntamiento.example"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478"
    "da63646060f80f0002870180eb47ba920000000049454e44ae426082"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--senders", type=int, default=30)
    parser.add_argument("--photo", type=int, default=5)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL to create the database in")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-mail-"))
    env = {**os.environ, "VENTANILLA_OTP_REQUIRED": "0"}
    if args.pg:
        import psycopg

        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute('DROP DATABASE IF EXISTS "bench_mail_gateway" WITH (FORCE)')
            admin.execute('CREATE DATABASE "bench_mail_gateway"')
        env["DATABASE_URL"] = args.pg.rsplit("/", 1)[0] + "/bench_mail_gateway"
    cli = [sys.executable, "-m", "ventanilla"]

    def run(*command: str) -> None:
        subprocess.run([*cli, *command], cwd=workdir, env=env, check=True, capture_output=True)

    run("migrate", "-v0")
    run("add_council", "--name", "Bench", "--slug", "bench", "--domain", "bench.example")
    run("add_channel", "email", "--name", "Buzón", "--address", ADDRESS)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = subprocess.Popen(
        [*cli, "mail_gateway", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        messages = [_message(n, args) for n in range(args.count)]
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
            for sender, message in messages:
                client.send_message(message, from_addr=sender, to_addrs=[ADDRESS])
        elapsed = time.perf_counter() - started
    finally:
        gateway.terminate()
        gateway.wait(timeout=10)
    database = "PostgreSQL" if args.pg else "SQLite"
    print(
        f"{args.count} messages ({args.count // args.photo} with a photo) from "
        f"{args.senders} residents stored in {elapsed:.2f} s: "
        f"{args.count / elapsed:.1f} messages/s ({database}, one SMTP connection)"
    )


def _message(n: int, args: argparse.Namespace) -> tuple[str, EmailMessage]:
    sender = f"vecina{n % args.senders}@correo.example"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ADDRESS
    message["Subject"] = f"Aviso {n}"
    message["Message-ID"] = make_msgid(domain="correo.example")
    message.set_content(f"La farola número {n} de la calle Mayor está apagada.")
    if n % args.photo == 0:
        message.add_attachment(PNG, maintype="image", subtype="png", filename="farola.png")
    return sender, message


def _wait_for(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.noop()
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the mail gateway did not start")


if __name__ == "__main__":
    main()
