"""Appointments benchmark (not a test): racing for the last place, and the reminder's timing.

1. Booking race: S slots of one place each; P processes, each with its own residents, try to
   book every slot in the same order at the same moment, so every slot is fought over by P
   residents. Prints bookings made, refusals, slots over capacity (must be 0) and the time
   of one attempt (median and 95th percentile).
2. Reminder timing: R appointments whose reminders fall due a few seconds from now; a real
   ``ventanilla worker`` (default interval, 0.5 s) runs them. Prints how long after its due
   time each reminder became an outbound message row.

Run it with ``.venv/bin/python bench/appointments.py`` (``--database-url``; SQLite in a
temporary folder by default, PostgreSQL shows the real concurrency). The load average is
printed with the figures: other processes on the machine skew them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def racer_code() -> str:
    return (
        "import os, sys, time, json, django\n"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'ventanilla.settings'\n"
        "django.setup()\n"
        "from ventanilla.appointments import services\n"
        "from ventanilla.citizens.models import Citizen\n"
        "slots = json.loads(sys.argv[1]); citizens = json.loads(sys.argv[2])\n"
        "people = {c.pk: c for c in Citizen.objects.filter(pk__in=citizens)}\n"
        "sys.stdin.readline()\n"
        "took = []; booked = 0\n"
        "for slot, citizen in zip(slots, citizens):\n"
        "    started = time.perf_counter()\n"
        "    made = services.book(slot_id=slot, citizen=people[citizen], conversation=None,"
        " language='es')\n"
        "    took.append(time.perf_counter() - started); booked += made is not None\n"
        "print(json.dumps({'booked': booked, 'took': took}))\n"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--slots", type=int, default=50)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--reminders", type=int, default=5)
    parser.add_argument("--skip-race", action="store_true")
    options, _ = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        url = options.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
        os.environ.update(
            {"DATABASE_URL": url, "VENTANILLA_HOME": str(work), "LOG_LEVEL": "WARNING"}
        )
        os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
        ventanilla = str(Path(sys.executable).with_name("ventanilla"))
        subprocess.run([ventanilla, "migrate", "--no-input"], check=True, capture_output=True)
        import django

        django.setup()
        if not options.skip_race:
            race(options)
        reminders(options, ventanilla)
    return 0


def _setup():
    from django.utils import timezone

    from ventanilla.appointments.models import Office
    from ventanilla.core.models import Council

    slug = f"bench-{time.time_ns()}"
    council = Council.objects.create(name="Bench", slug=slug, jurisdiction_id=slug)
    office = Office.objects.create(council=council, name="Registro", address="Plaza Mayor 1")
    return council, office, timezone.now()


def race(options: argparse.Namespace) -> None:
    import json

    from ventanilla.appointments.models import Appointment, Slot
    from ventanilla.citizens.services import find_or_create_citizen

    council, office, now = _setup()
    start = now + dt.timedelta(days=3)
    slots = [
        Slot.objects.create(
            office=office,
            starts_at=start + dt.timedelta(minutes=15 * n),
            ends_at=start + dt.timedelta(minutes=15 * (n + 1)),
        ).pk
        for n in range(options.slots)
    ]
    racers = []
    for p in range(options.processes):
        citizens = [
            find_or_create_citizen(council=council, urn=f"tel:+346{p:02d}{n:06d}").pk
            for n in range(options.slots)
        ]
        racers.append(
            subprocess.Popen(
                [sys.executable, "-c", racer_code(), json.dumps(slots), json.dumps(citizens)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    time.sleep(8)  # let every racer import Django and wait at the line
    for racer in racers:
        racer.stdin.write("go\n")
        racer.stdin.flush()
    results = [json.loads(r.communicate(timeout=600)[0].strip().splitlines()[-1]) for r in racers]
    took = sorted(t for r in results for t in r["took"])
    booked = sum(r["booked"] for r in results)
    over = Slot.objects.filter(pk__in=slots, booked__gt=1).count()
    rows = Appointment.objects.filter(slot_id__in=slots).count()
    attempts = options.slots * options.processes
    print(
        f"booking race: {options.processes} processes x {options.slots} one-place slots "
        f"(load average {os.getloadavg()[0]:.2f})"
    )
    print(
        f"  bookings made {booked} (rows {rows}), refused {attempts - booked}, over capacity {over}"
    )
    print(
        f"  one attempt: median {statistics.median(took) * 1000:.1f} ms, "
        f"p95 {took[int(len(took) * 0.95)] * 1000:.1f} ms"
    )


def reminders(options: argparse.Namespace, ventanilla: str) -> None:
    from django.utils import timezone

    from ventanilla.appointments import services
    from ventanilla.appointments.models import Slot
    from ventanilla.channels.models import Channel
    from ventanilla.conversations.models import Direction, Message
    from ventanilla.conversations.services import conversation_for

    council, office, now = _setup()
    channel = Channel.objects.create(
        council=council, provider="telegram", name="t", api_base="http://127.0.0.1:9"
    )
    due = []
    for n in range(options.reminders):
        starts = timezone.now() + dt.timedelta(days=1, seconds=6 + 2 * n)
        slot = Slot.objects.create(office=office, starts_at=starts, ends_at=starts)
        conversation = conversation_for(channel=channel, urn=f"telegram:{900000 + n}")
        appointment = services.book(
            slot_id=slot.pk, citizen=conversation.citizen, conversation=conversation, language="es"
        )
        assert appointment is not None
        due.append((conversation.pk, starts - services.REMIND_BEFORE))
    worker = subprocess.Popen(
        [ventanilla, "worker", "--queues", "default"],
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ["VENTANILLA_HOME"] + "/worker.log", "w"),  # noqa: SIM115
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if Message.objects.filter(
                conversation__council=council, direction=Direction.OUT
            ).count() >= len(due):
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    if not Message.objects.filter(conversation__council=council, direction=Direction.OUT):
        print(Path(os.environ["VENTANILLA_HOME"], "worker.log").read_text()[-3000:])
    lags = []
    for conversation_id, when in due:
        message = Message.objects.filter(conversation_id=conversation_id).first()
        lags.append((message.created_at - when).total_seconds() if message else float("nan"))
    print(f"reminders: {len(due)} due 6-{6 + 2 * (len(due) - 1)} s ahead, worker interval 0.5 s")
    print(
        "  written after their due time (s): "
        + ", ".join(f"{lag:.2f}" for lag in lags)
        + f"; none early: {all(lag >= 0 for lag in lags)}"
    )


if __name__ == "__main__":
    sys.exit(main())
