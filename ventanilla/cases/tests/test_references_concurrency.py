"""200 cases from 8 processes at once on PostgreSQL: distinct references, none skipped
(the year's sequence is created by whichever case comes first; the others wait for it)."""

import os
import subprocess
import sys
import textwrap

import pytest
from django.db import connection

from ventanilla.cases.models import Case
from ventanilla.cases.tests.factories import make_category, make_council

WORKER = textwrap.dedent("""
    import os, sys, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
    django.setup()
    from ventanilla.cases.models import Category
    from ventanilla.cases.services import open_case
    category = Category.objects.get(pk=int(sys.argv[1]))
    sys.stdin.readline()  # start together
    for i in range(int(sys.argv[2])):
        open_case(category=category, description=f"concurrent {os.getpid()} {i}")
""")


@pytest.mark.django_db(transaction=True)
def test_200_cases_from_8_processes_get_200_distinct_references_none_skipped():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency is a PostgreSQL property; SQLite serialises writers")
    category = make_category(council=make_council())
    settings_db = connection.settings_dict
    url = (
        f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/"
        f"{settings_db['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(category.pk), "25"],
            stdin=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(8)
    ]
    for worker in workers:
        worker.stdin.write("go\n")
        worker.stdin.flush()
    assert [w.wait(timeout=120) for w in workers] == [0] * 8
    references = list(
        Case.objects.filter(council=category.council).values_list("reference", flat=True)
    )
    numbers = sorted(int(r.split("-")[1]) for r in references)
    assert len(references) == len(set(references)) == 200
    assert numbers == list(range(1, 201))
