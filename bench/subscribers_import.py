"""Alerts benchmark (not a test): import 100,000 subscribers, then queue a broadcast to them.

1. ``ventanilla import_subscribers`` on a CSV of N Spanish mobile numbers (0.5% unreadable,
   0.5% repeated), timed as a whole command (start-up included); target under 60 s;
2. a broadcast to those N subscribers approved and sent: the fan-out that creates the
   queued messages (``broadcasts.services.send``), timed in one process; target 10 s.

Run it with ``.venv/bin/python bench/subscribers_import.py`` (``--rows``, ``--database-url``;
SQLite in a temporary folder by default). The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SETUP = """
from ventanilla.broadcasts import services
from ventanilla.channels.services import create_channel
from ventanilla.core.models import Council
council = Council.objects.get(slug="bench")
channel = create_channel(council=council, provider="twilio", name="SMS", rate_per_second=80,
    secrets={"account_sid": "AC" + "0" * 32, "auth_token": "t", "from_number": "+34600000000"})
services.create_topic(council=council, slug="trafico", name_es="Tráfico", name_ca="Trànsit",
    name_en="Traffic")
print(channel.pk)
"""

QUEUE = """
import time
from django.contrib.auth import get_user_model
from ventanilla.broadcasts import services
from ventanilla.broadcasts.models import Topic
User = get_user_model()
ana = User.objects.create_user("ana")
bernat = User.objects.create_user("bernat")
topic = Topic.objects.get(slug="trafico")
row = services.create_broadcast(topic=topic, texts={"es": "Calle Mayor cortada hasta las 14 h."},
    by=ana)
services.approve(broadcast=row, by=bernat)
started = time.perf_counter()
row = services.send(broadcast=row)
took = time.perf_counter() - started
print(f"{took:.2f} {row.recipients}")
"""


def write_list(path: Path, rows: int, *, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        handle.write("phone,language\n")
        for i in range(rows):
            roll = rng.random()
            if roll < 0.005:
                handle.write("12ab,es\n")
            elif roll < 0.01 and i:
                handle.write(f"6{(i - 1) * 7 % 100_000_000:08d},es\n")  # the line before
            else:
                language = ("es", "ca", "en", "")[i % 4]
                handle.write(f"6{i * 7 % 100_000_000:08d},{language}\n")


def ventanilla(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("ventanilla")), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"ventanilla {' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
    return took, done.stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default="")
    options, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = {
            **os.environ,
            "DATABASE_URL": options.database_url or f"sqlite:///{work / 'bench.sqlite3'}",
            "VENTANILLA_HOME": str(work),
        }
        ventanilla(env, "migrate", "--no-input")
        ventanilla(env, "add_council", "--name", "Bench", "--slug", "bench", "--domain", "b.test")
        channel = ventanilla(env, "shell", "-c", SETUP)[1].splitlines()[-1]
        path = work / "list.csv"
        write_list(path, options.rows, seed=1)
        print(f"{options.rows:,} subscribers; load average {os.getloadavg()[0]:.2f}")
        took, report = ventanilla(
            env, "import_subscribers", str(path), "--topic", "trafico", "--channel", channel
        )
        print(f"import:  {took:6.1f} s  ({options.rows / took:,.0f} rows/s; target < 60 s)")
        print("        ", report)
        _, figures = ventanilla(env, "shell", "-c", QUEUE)
        seconds, recipients = figures.splitlines()[-1].split()
        print(f"queue a broadcast to {int(recipients):,}: {float(seconds):6.1f} s (target <= 10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
