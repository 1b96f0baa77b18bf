"""Census import benchmark (not a test): ``ventanilla import_census`` on 100,000 people.

Generates a census CSV of N people (valid DNIs and NIEs, Spanish mobile numbers, households
of one to five), creates a fresh database with one council, and times the real command:

1. the first import (every row new);
2. a re-import of the same people with 1% changed and 1% gone (incremental).

Run it with ``.venv/bin/python bench/census_import.py`` (``--rows``, ``--database-url``;
SQLite in a temporary folder by default). Other processes on the machine skew the figures:
the load average is printed with them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
HEADER = (
    "dni,given_name,surname1,surname2,birth_date,address,district,phone,email,household,"
    "registered_since"
).split(",")
NAMES = ["Lucía", "Jordi", "María", "Pau", "Carmen", "Ahmed", "Laura", "Joan", "Ana", "Wei"]
SURNAMES = ["García", "Puig", "López", "Martí", "Sánchez", "Ferrer", "Pérez", "Vidal", "Ruiz"]


def dni(n: int) -> str:
    if n % 10 == 0:  # one in ten is a NIE
        body = n % 10_000_000
        return f"X{body:07d}{LETTERS[body % 23]}"
    return f"{n:08d}{LETTERS[n % 23]}"


def write_census(path: Path, rows: int, *, seed: int, drop: float = 0, change: float = 0) -> None:
    rng = random.Random(seed)
    edits = random.Random(seed + 1)  # drops and changes do not shift the people's data
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        household = 0
        left = 0
        for i in range(rows):
            if left == 0:
                household += 1
                left = rng.randint(1, 5)
            left -= 1
            born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randint(0, 33_000))
            street = rng.randint(1, 400) + (1000 if change and edits.random() < change else 0)
            district, mobile = rng.randint(1, 9), rng.randint(0, 99_999_999)
            if drop and edits.random() < drop:
                continue
            writer.writerow(
                [
                    dni(10_000_000 + i * 7),
                    NAMES[i % len(NAMES)],
                    SURNAMES[i % len(SURNAMES)],
                    SURNAMES[(i // 7) % len(SURNAMES)],
                    born.isoformat() if i % 2 else born.strftime("%d/%m/%Y"),
                    f"Calle Mayor {street}",
                    f"Distrito {district}",
                    f"6{mobile:08d}" if i % 3 else "",
                    f"vecino{i}@example.org" if i % 4 == 0 else "",
                    f"H{household:06d}",
                    "2010-01-01",
                ]
            )


def ventanilla(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).with_name("ventanilla")), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"ventanilla {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    if args[0] == "import_census":
        print("   ", done.stdout.strip())
    return took


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
        first, second = work / "census.csv", work / "census2.csv"
        write_census(first, options.rows, seed=1)
        write_census(second, options.rows, seed=1, drop=0.01, change=0.01)
        print(f"census import of {options.rows:,} people; load average {os.getloadavg()[0]:.2f}")
        took = ventanilla(env, "import_census", str(first))
        print(f"first import:   {took:6.1f} s  ({options.rows / took:,.0f} rows/s)")
        took = ventanilla(env, "import_census", str(second))
        print(f"re-import:      {took:6.1f} s  (1% changed, 1% gone)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
