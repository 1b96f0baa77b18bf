"""Benchmark: the staff statistics dashboard at 1,000,000 cases and 5,000,000 messages (PostgreSQL).

Not a test. Creates its own database (``bench_insights`` by default) and seeds it with SQL
``generate_series`` through ``bench/inbox.py`` (two years of cases, five messages per case,
residents, conversations), then gives the cases their times (first answer, resolution,
ratings, some reopened) and writes their ``insights_casefigures`` rows in one
``INSERT ... SELECT``. The working times of these rows are worked out in SQL from calendar
time (five office hours a day, five working days a week), to whole minutes: close enough
for timing; the reaction that keeps the rows in the application computes them exactly,
with holidays. Then ``ventanilla insights_rebuild`` writes the summary tallies (timed).

It then times ``/insights/`` as the Django test client gets it (server time: middleware,
view, queries, template), median and best of N requests (with the load average, as the
machine may be shared), for a supervisor (whole council) and for
an agent of two departments, over the last 30 days (the default), the last full month and
the last full year. The database is dropped at the end unless ``--keep``.

    .venv/bin/python bench/insights.py [--cases 1000000] [--requests 11]
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_spec = importlib.util.spec_from_file_location("bench_inbox", ROOT / "bench" / "inbox.py")
assert _spec is not None and _spec.loader is not None
inbox_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(inbox_bench)


def give_cases_their_times(council_id: int) -> float:
    """Set answer and resolution times, ratings and reopenings; write the rollup rows."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE cases_case SET
                first_responded_at = CASE WHEN status <> 'new'
                    THEN created_at + (1 + id %% 30) * interval '1 hour' END,
                resolved_at = CASE WHEN status IN ('resolved', 'closed')
                    THEN created_at + (1 + id %% 20) * interval '1 day'
                         + (id %% 7) * interval '1 hour' END,
                satisfaction = CASE WHEN status IN ('resolved', 'closed') AND id %% 3 = 0
                    THEN 1 + (id * 7) %% 5 END,
                satisfaction_comment = CASE WHEN status IN ('resolved', 'closed') AND id %% 30 = 0
                    THEN 'Gracias, la farola ya funciona. Llamadme al 600 123 456' ELSE '' END
            WHERE council_id = %s
            """,
            [council_id],
        )
        cursor.execute(
            """
            INSERT INTO cases_caseevent (case_id, kind, from_value, to_value, comment, created_at)
            SELECT id, 'status', 'resolved', 'reopened', '', resolved_at
            FROM cases_case
            WHERE council_id = %s AND resolved_at IS NOT NULL AND id %% 25 = 0
            """,
            [council_id],
        )
        cursor.execute("TRUNCATE insights_casefigures")
        cursor.execute(
            """
            INSERT INTO insights_casefigures
                (case_id, council_id, day, resolved_day, reference, department_id, category_id,
                 channel, district_id, assignee_id, status, created_at, due_at,
                 first_responded_at, resolved_at, reopened, satisfaction, public_category,
                 first_response_hours, resolution_days)
            SELECT c.id, c.council_id, (c.created_at AT TIME ZONE 'Europe/Madrid')::date,
                   (c.resolved_at AT TIME ZONE 'Europe/Madrid')::date, c.reference,
                   c.department_id, c.category_id, coalesce(ch.provider, ''), NULL,
                   c.assignee_id, c.status, c.created_at, c.due_at, c.first_responded_at,
                   c.resolved_at, c.id %% 25 = 0 AND c.resolved_at IS NOT NULL,
                   c.satisfaction, true,
                   round(extract(epoch FROM c.first_responded_at - c.created_at) / 60 * 5 / 24
                       * 5 / 7) / 60.0,
                   round(extract(epoch FROM c.resolved_at - c.created_at) / 60 * 5 / 7)
                       / 1440.0
            FROM cases_case c LEFT JOIN channels_channel ch ON ch.id = c.channel_id
            WHERE c.council_id = %s
            """,
            [council_id],
        )
    return time.perf_counter() - started


def rebuild_tallies() -> float:
    """Run ``ventanilla insights_rebuild`` (what an upgrade runs); return its seconds."""
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("insights_rebuild", council="bench")
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return seconds


def add_commitments(council: Any) -> None:
    from ventanilla.cases.models import Category
    from ventanilla.insights.models import Commitment

    for category in Category.objects.filter(council=council).order_by("pk")[:3]:
        Commitment.objects.create(
            category=category,
            working_days=5,
            statement=f"{category.name}: resuelto en 5 días laborables",
        )


def measure(client: Any, params: dict[str, str], requests: int) -> dict[str, Any]:
    for _ in range(2):  # warm caches and connections
        assert client.get("/insights/", params).status_code == 200
    times = []
    for _ in range(requests):
        with inbox_bench.timed_queries() as log:
            started = time.perf_counter()
            response = client.get("/insights/", params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    slowest = sorted(log, reverse=True)[:1]
    return {
        "median_ms": statistics.median(times) * 1000,
        "best_ms": min(times) * 1000,
        "queries": len(log),
        "slowest_query_ms": slowest[0][0] * 1000 if slowest else 0.0,
        "slowest_query": " ".join(slowest[0][1].split())[:140] if slowest else "",
    }


def load() -> str:
    """Return the load average of the last minute (the machine may be shared)."""
    return Path("/proc/loadavg").read_text().split()[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=11)
    parser.add_argument("--database", default="bench_insights")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    parser.add_argument("--reuse", action="store_true", help="the database is already seeded")
    parser.add_argument(
        "--rebuild", action="store_true", help="with --reuse: migrate and rebuild the tallies"
    )
    args = parser.parse_args()

    if not args.reuse:
        inbox_bench.admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"')
        inbox_bench.admin_sql(f'CREATE DATABASE "{args.database}"')
    try:
        inbox_bench.setup_django(args.database)
        from django.contrib.auth import get_user_model
        from django.test import Client
        from django.utils import timezone

        from ventanilla.cases.models import Case
        from ventanilla.conversations.models import Message
        from ventanilla.core.models import Council

        if not args.reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            fixed = inbox_bench.seed_fixed()
            seconds = inbox_bench.seed_volume(
                fixed["council"].pk, args.cases, inbox_bench.MESSAGES_PER_CASE
            )
            seconds += give_cases_their_times(fixed["council"].pk)
            add_commitments(fixed["council"])
            print(f"seeded in {seconds:.0f} s", flush=True)
        if args.reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)  # a database seeded by an older version
        if not args.reuse or args.rebuild:
            print(f"insights_rebuild (tallies) in {rebuild_tallies():.1f} s", flush=True)
        council = Council.objects.get(slug="bench")
        print(
            f"{Case.objects.count():,} cases, {Message.objects.count():,} messages",
            flush=True,
        )
        users = get_user_model().objects
        today = timezone.now().astimezone(council.tz).date()
        month_end = today.replace(day=1) - dt.timedelta(days=1)
        year = today.year - 1
        periods = {
            "last 30 days (default)": {},
            f"{month_end:%Y-%m}": {
                "start": month_end.replace(day=1).isoformat(),
                "end": month_end.isoformat(),
            },
            f"{year} (a year)": {"start": f"{year}-01-01", "end": f"{year}-12-31"},
        }
        print()
        print(f"/insights/ server time, median and best of {args.requests} requests")
        print(f"{'who':12} {'period':24} {'median':>8} {'best':>8} {'queries':>8}  load  slowest")
        for who in ("supervisor", "agent0"):
            client = Client()
            client.force_login(users.get(username=who))
            for label, params in periods.items():
                result = measure(client, params, args.requests)
                print(
                    f"{who:12} {label:24} {result['median_ms']:8.1f} {result['best_ms']:8.1f}"
                    f" {result['queries']:8d}  {load()}  {result['slowest_query_ms']:.1f} ms"
                    f" {result['slowest_query']}",
                    flush=True,
                )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            inbox_bench.admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
