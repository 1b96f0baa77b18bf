"""Benchmark: the staff inbox's queue page with 10,000 and with 200,000 cases (PostgreSQL).

Not a test. Creates its own database (``bench_inbox`` by default), seeds it with SQL
``generate_series`` (cases, five messages per case, residents, conversations), and times the
queue page as the Django test client gets it (server time: middleware, views, templates,
queries), median of N requests per queue, for an agent of two departments and for a
supervisor. The database is dropped at the end unless ``--keep``.

    .venv/bin/python bench/inbox.py [--cases 200000] [--small 10000] [--requests 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
DEPARTMENTS = 8
CATEGORIES_PER_DEPARTMENT = 3
AGENTS = 40
CHANNELS = ("whatsapp", "telegram", "line", "twilio")
MESSAGES_PER_CASE = 5


def admin_sql(statement: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    os.environ["VENTANILLA_OTP_REQUIRED"] = "0"  # the client signs in without a second factor
    os.environ.setdefault("VENTANILLA_HOME", "/tmp")
    import django

    django.setup()


def seed_fixed() -> dict[str, Any]:
    """Create the council, departments, categories, channels and staff (once)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from ventanilla.cases.models import Category, Department, Role, Staff
    from ventanilla.channels.models import Channel
    from ventanilla.core.models import Council

    council = Council.objects.create(slug="bench", name="Bench", jurisdiction_id="bench.test")
    departments = [
        Department.objects.create(council=council, name_es=f"Departamento {n}")
        for n in range(DEPARTMENTS)
    ]
    for n in range(DEPARTMENTS * CATEGORIES_PER_DEPARTMENT):
        Category.objects.create(
            council=council,
            department=departments[n % DEPARTMENTS],
            code=f"cat-{n}",
            name_es=f"Categoría {n}",
        )
    for provider in CHANNELS:
        Channel.objects.create(council=council, provider=provider, name=provider)
    users = get_user_model().objects
    agent_group, _ = Group.objects.get_or_create(name=Role.AGENT.value)
    supervisor_group, _ = Group.objects.get_or_create(name=Role.SUPERVISOR.value)
    agents = []
    for n in range(AGENTS):
        user = users.create_user(f"agent{n}", password="x")
        user.groups.add(agent_group)
        staff = Staff.objects.create(user=user, council=council)
        staff.departments.set([departments[n % DEPARTMENTS], departments[(n + 1) % DEPARTMENTS]])
        agents.append(user)
    supervisor = users.create_user("supervisor", password="x")
    supervisor.groups.add(supervisor_group)
    Staff.objects.create(user=supervisor, council=council)
    return {"council": council, "agent": agents[0], "supervisor": supervisor}


def seed_volume(council_id: int, cases: int, messages_per_case: int) -> float:
    """Replace cases, residents, conversations and messages by ``cases`` generated rows."""
    from django.db import connection

    started = time.perf_counter()
    residents = max(1000, cases // 4)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE conversations_message, conversations_conversation, cases_caseevent, "
            "cases_caseaccess, cases_note, cases_case, citizens_identity, citizens_citizen, "
            "core_liveevent CASCADE"
        )
        cursor.execute(
            """
            INSERT INTO citizens_citizen (council_id, name, language, consent_version, created_at)
            SELECT %s, 'Vecina ' || g, 'es', '1', now() FROM generate_series(1, %s) g
            """,
            [council_id, residents],
        )
        cursor.execute(
            """
            INSERT INTO citizens_identity (council_id, citizen_id, urn, scheme, display, created_at)
            SELECT council_id, id, 'whatsapp:34600' || lpad(id::text, 6, '0'), 'whatsapp', '',
                   now()
            FROM citizens_citizen
            """
        )
        cursor.execute(
            """
            INSERT INTO conversations_conversation
                (council_id, citizen_id, channel_id, urn, state, last_inbound_at,
                 created_at, updated_at)
            SELECT c.council_id, c.id, ch.id, 'telegram:' || c.id, '{}'::jsonb,
                   now() - (c.id %% 48) * interval '1 hour', now(), now()
            FROM citizens_citizen c
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM channels_channel) ch
              ON ch.n = c.id %% %s
            """,
            [len(CHANNELS)],
        )
        # Two years of cases, the newest now. Like a council that keeps up: most cases of
        # the last 30 days are open, 2% of older ones are a forgotten backlog (overdue), the
        # rest resolved or closed; about 5% open in all. Deadlines 3 to 16 days after opening.
        cursor.execute(
            """
            INSERT INTO cases_case
                (council_id, reference, category_id, department_id, assignee_id, priority,
                 status, channel_id, citizen_id, description, address, is_public,
                 public_summary, created_at, updated_at, first_response_due_at, due_at,
                 satisfaction_comment)
            SELECT %(council)s,
                   (2024 + g / 100000) || '-' || lpad((g %% 100000 + 1)::text, 6, '0'),
                   cat.id, cat.department_id,
                   CASE WHEN status IN ('assigned', 'in_progress', 'waiting_resident') THEN (
                       SELECT s.user_id FROM cases_staff s
                       JOIN cases_staff_departments sd ON sd.staff_id = s.id
                       WHERE sd.department_id = cat.department_id
                       ORDER BY s.user_id LIMIT 1 OFFSET (g %% 5)
                   ) END,
                   1 + g %% 4,
                   status,
                   ch.id,
                   cit.first + g %% %(residents)s,
                   'Farola apagada en la calle ' || g || ', lleva días sin funcionar',
                   'Calle ' || (g %% 500), true, '',
                   created, created, created + interval '8 hours',
                   created + (3 + g %% 14) * interval '1 day', ''
            FROM (
                SELECT g, created,
                       CASE
                         WHEN created > now() - interval '30 days' THEN
                           (ARRAY['new', 'assigned', 'in_progress', 'waiting_resident',
                                  'resolved'])[1 + g %% 5]
                         WHEN g %% 50 = 0 THEN (ARRAY['new', 'in_progress'])[1 + g %% 2]
                         ELSE (ARRAY['resolved', 'closed', 'closed'])[1 + g %% 3]
                       END AS status
                FROM (
                    SELECT g, now() - ((%(cases)s - g) * interval '730 days' / %(cases)s)
                           AS created
                    FROM generate_series(1, %(cases)s) g
                ) times
            ) series
            JOIN (SELECT id, department_id, row_number() OVER (ORDER BY id) - 1 AS n
                  FROM cases_category) cat ON cat.n = g %% %(categories)s
            JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS n
                  FROM channels_channel) ch ON ch.n = g %% %(channels)s
            CROSS JOIN (SELECT min(id) AS first FROM citizens_citizen) cit
            """,
            {
                "council": council_id,
                "cases": cases,
                "residents": residents,
                "categories": DEPARTMENTS * CATEGORIES_PER_DEPARTMENT,
                "channels": len(CHANNELS),
            },
        )
        cursor.execute(
            """
            INSERT INTO conversations_message
                (council_id, conversation_id, channel_id, case_id, direction, text, address,
                 payload, provider_message_id, status, error_code, error_reason, is_automatic,
                 attempts, created_at)
            SELECT c.council_id, conv.id, conv.channel_id, c.id,
                   CASE WHEN k %% 2 = 1 THEN 'in' ELSE 'out' END,
                   'Mensaje ' || k || ' sobre el caso ' || c.reference, '', '{}'::jsonb, '',
                   CASE WHEN k %% 2 = 1 THEN 'received' ELSE 'read' END, '', '', false, 0,
                   c.created_at + k * interval '1 hour'
            FROM cases_case c
            JOIN conversations_conversation conv ON conv.citizen_id = c.citizen_id
            CROSS JOIN generate_series(1, %s) k
            """,
            [messages_per_case],
        )
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


@contextmanager
def timed_queries() -> Iterator[list[tuple[float, str]]]:
    from django.db import connection

    log: list[tuple[float, str]] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            log.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(wrapper):
        yield log


def measure(client: Any, path: str, params: dict[str, str], requests: int) -> dict[str, Any]:
    for _ in range(2):  # warm caches and connections
        assert client.get(path, params).status_code == 200
    times, slowest = [], []
    for _ in range(requests):
        with timed_queries() as log:
            started = time.perf_counter()
            response = client.get(path, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        slowest = sorted(log, reverse=True)[:1]
    return {
        "median_ms": statistics.median(times) * 1000,
        "p90_ms": sorted(times)[int(len(times) * 0.9) - 1] * 1000,
        "queries": len(log),
        "slowest_query_ms": slowest[0][0] * 1000 if slowest else 0.0,
        "slowest_query": slowest[0][1][:160] if slowest else "",
    }


def scenarios(fixed: dict[str, Any]) -> list[tuple[str, Any, str, dict[str, str]]]:
    from ventanilla.cases.models import Case

    agent, supervisor = fixed["agent"], fixed["supervisor"]
    # A cursor deep in the supervisor's "all" queue: page ~1,000 by keyset.
    deep = Case.objects.filter(status__in=["new", "assigned", "in_progress"]).order_by(
        "due_at", "id"
    )
    count = deep.count()
    middle = deep[count // 2] if count else None
    from ventanilla.inbox.selectors import encode_cursor

    cursor = encode_cursor(middle, "due") if middle else ""
    some_case = Case.objects.filter(department__staff__user=agent).order_by("-id").first()
    return [
        ("agent: my departments", agent, "/inbox/", {"queue": "department"}),
        ("agent: mine", agent, "/inbox/", {"queue": "mine"}),
        ("agent: unassigned", agent, "/inbox/", {"queue": "unassigned"}),
        ("agent: at risk", agent, "/inbox/", {"queue": "at_risk"}),
        ("agent: overdue", agent, "/inbox/", {"queue": "overdue"}),
        ("agent: waiting", agent, "/inbox/", {"queue": "waiting"}),
        (
            "agent: search text",
            agent,
            "/inbox/",
            {"queue": "department", "q": "calle 12345"},
        ),
        # Search across every status (trigram indexes on PostgreSQL; issue 10).
        ("agent: search word, any status", agent, "/inbox/", {"queue": "department", "q": "12345"}),
        ("agent: search phone", agent, "/inbox/", {"queue": "department", "q": "+34 600 012 345"}),
        ("agent: search name", agent, "/inbox/", {"queue": "department", "q": "Vecina 4321"}),
        ("supervisor: search street", supervisor, "/inbox/", {"queue": "all", "q": "Calle 321"}),
        (
            "api: search phone",
            supervisor,
            "/api/v1/cases",
            {"search": "600012345", "status": "resolved"},
        ),
        ("agent: sort newest", agent, "/inbox/", {"queue": "department", "sort": "newest"}),
        ("supervisor: all", supervisor, "/inbox/", {"queue": "all"}),
        (
            "supervisor: all, mid-queue",
            supervisor,
            "/inbox/",
            {"queue": "all", "after": cursor},
        ),
        (
            "supervisor: all, resolved",
            supervisor,
            "/inbox/",
            {"queue": "all", "status": "resolved"},
        ),
        ("agent: case page", agent, f"/inbox/cases/{some_case.reference}/", {}),
    ]


def run_size(fixed: dict[str, Any], cases: int, requests: int) -> dict[str, dict[str, Any]]:
    from django.test import Client

    from ventanilla.conversations.models import Message

    seconds = seed_volume(fixed["council"].pk, cases, MESSAGES_PER_CASE)
    print(
        f"  seeded {cases:,} cases and {Message.objects.count():,} messages in {seconds:.1f} s",
        flush=True,
    )
    results = {}
    clients: dict[tuple[int, bool], Any] = {}
    for label, user, path, params in scenarios(fixed):
        key = (user.pk, path.startswith("/api/"))
        if key not in clients:
            if key[1]:
                from ventanilla.core.tokens import issue_api_token

                clients[key] = Client(HTTP_AUTHORIZATION=f"Bearer {issue_api_token(user=user)}")
            else:
                clients[key] = Client()
                clients[key].force_login(user)
        results[label] = measure(clients[key], path, params, requests)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--database", default="bench_inbox")
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()

    admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"')
    admin_sql(f'CREATE DATABASE "{args.database}"')
    try:
        setup_django(args.database)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        fixed = seed_fixed()
        figures = {}
        for size in (args.small, args.cases):
            print(f"== {size:,} cases", flush=True)
            figures[size] = run_size(fixed, size, args.requests)
        print()
        print(f"Queue page server time, median of {args.requests} requests (ms)")
        print(
            f"{'scenario':34} {args.small:>10,} {args.cases:>10,}   queries"
            f"  slowest SQL at {args.cases:,} (ms)"
        )
        for label in figures[args.small]:
            small, large = figures[args.small][label], figures[args.cases][label]
            print(
                f"{label:34} {small['median_ms']:10.1f} {large['median_ms']:10.1f}"
                f"   {large['queries']:7d}  {large['slowest_query_ms']:8.1f}"
            )
        print()
        print("Slowest statement per scenario at the larger size:")
        for label, result in figures[args.cases].items():
            print(f"- {label}: {result['slowest_query_ms']:.1f} ms  {result['slowest_query']}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.database}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
