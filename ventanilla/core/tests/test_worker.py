"""``ventanilla worker`` takes back a dead worker's tasks and lives through a database outage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult
from structlog.testing import capture_logs

from ventanilla.core import worker as worker_module
from ventanilla.core.worker import ResilientWorker

pytestmark = pytest.mark.django_db(transaction=True)  # the worker closes connections

RAN: list[str] = []


@task()
def note(value: str) -> None:
    RAN.append(value)


@task()
def trip_over_the_database(value: str) -> None:
    RAN.append(value)
    if RAN.count(value) == 1:
        raise OperationalError("the connection is closed")


def make_worker(**options: Any) -> ResilientWorker:
    defaults: dict[str, Any] = {
        "queue_names": ["*"],
        "interval": 0,
        "batch": True,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": None,
        "worker_id": "test-worker",
        "excluded_queue_names": [],
        "reclaim_after": 60,
    }
    return ResilientWorker(**(defaults | options))


@pytest.fixture(autouse=True)
def _clean() -> None:
    RAN.clear()


def running_since(value: str, seconds_ago: float) -> DBTaskResult:
    result = note.enqueue(value)
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - dt.timedelta(seconds=seconds_ago),
        worker_ids=["killed-worker"],
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_whose_worker_died_is_run_again_after_the_timeout() -> None:
    stale = running_since("stale", seconds_ago=120)
    fresh = running_since("fresh", seconds_ago=5)

    with capture_logs() as logs:
        make_worker(reclaim_after=60).run()

    assert RAN == ["stale"]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.status, fresh.status) == ("SUCCESSFUL", "RUNNING")
    assert [e["count"] for e in logs if e["event"] == "tasks_reclaimed"] == [1]


def test_the_worker_waits_out_a_database_outage_and_logs_it_once(monkeypatch) -> None:
    note.enqueue("after the outage")
    sleeps: list[float] = []
    monkeypatch.setattr(worker_module.time, "sleep", sleeps.append)
    worker = make_worker()
    claim = worker.claim_next_task
    failures = iter([True, True, True, False])

    def flaky_claim() -> DBTaskResult | None:
        if next(failures, False):
            raise OperationalError("the connection is closed")
        return claim()

    monkeypatch.setattr(worker, "claim_next_task", flaky_claim)

    with capture_logs() as logs:
        worker.run()

    assert RAN == ["after the outage"]
    events = [e["event"] for e in logs]
    assert events.count("worker_database_unavailable") == 1
    assert events.count("worker_database_back") == 1
    assert sleeps[:3] == [1.0, 2.0, 4.0]  # backs off


def test_a_task_the_outage_cut_short_runs_again() -> None:
    result = trip_over_the_database.enqueue("send")

    make_worker().run()  # fails on the database; queued again a second later
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"
    DBTaskResult.objects.filter(pk=result.id).update(run_after=timezone.now())
    make_worker().run()

    assert RAN == ["send", "send"]
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
