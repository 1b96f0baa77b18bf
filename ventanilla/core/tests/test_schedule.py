"""Periodic jobs run once per round, whichever worker and however many of them see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from ventanilla.core import schedule
from ventanilla.core.models import ScheduledJob
from ventanilla.core.tasks import prune_finished_task_rows
from ventanilla.core.tests.test_worker import make_worker

pytestmark = pytest.mark.django_db

RAN: list[str] = []
T0 = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)


@task()
def tick() -> None:
    RAN.append("tick")


@pytest.fixture
def jobs(monkeypatch: pytest.MonkeyPatch) -> schedule.Schedule:
    RAN.clear()
    own = schedule.Schedule()
    monkeypatch.setattr(schedule, "jobs", own)
    return own


def queued() -> int:
    return DBTaskResult.objects.filter(status="READY", task_path__endswith=".tick").count()


def test_a_due_job_is_enqueued_once_per_round_by_however_many_workers(jobs):
    jobs.add(schedule.Job("tick", tick, every=dt.timedelta(hours=1)))

    assert schedule.enqueue_due_jobs(now=T0) == ["tick"]
    assert schedule.enqueue_due_jobs(now=T0) == []  # a second worker, same moment
    assert schedule.enqueue_due_jobs(now=T0 + dt.timedelta(minutes=59)) == []
    assert schedule.enqueue_due_jobs(now=T0 + dt.timedelta(hours=1)) == ["tick"]
    assert queued() == 2


def test_a_worker_that_was_down_for_days_runs_the_job_once_not_once_per_missed_round(jobs):
    jobs.add(schedule.Job("tick", tick, every=dt.timedelta(hours=1)))
    schedule.enqueue_due_jobs(now=T0)

    later = T0 + dt.timedelta(days=3)
    assert schedule.enqueue_due_jobs(now=later) == ["tick"]
    assert schedule.enqueue_due_jobs(now=later + dt.timedelta(minutes=1)) == []
    assert queued() == 2


def test_a_job_can_wait_before_its_first_round(jobs):
    jobs.add(schedule.Job("tick", tick, every=dt.timedelta(hours=1), first_after=dt.timedelta(10)))

    assert schedule.enqueue_due_jobs(now=T0) == []
    assert schedule.enqueue_due_jobs(now=T0 + dt.timedelta(days=10)) == ["tick"]


def test_a_shortened_period_takes_effect_at_once(jobs):
    jobs.add(schedule.Job("tick", tick, every=dt.timedelta(days=30)))
    schedule.enqueue_due_jobs(now=T0)
    jobs.add(schedule.Job("tick", tick, every=dt.timedelta(hours=1)))

    assert schedule.enqueue_due_jobs(now=T0 + dt.timedelta(minutes=5)) == ["tick"]


def test_a_period_must_be_positive(jobs):
    with pytest.raises(ValueError, match="positive"):
        jobs.add(schedule.Job("never", tick, every=dt.timedelta(0)))


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_due_jobs_without_anyone_enqueueing_them(jobs):
    jobs.add(schedule.Job("tick", tick, every=dt.timedelta(hours=1)))

    make_worker().run()

    assert RAN == ["tick"]
    assert ScheduledJob.objects.get(name="tick").last_enqueued_at is not None


def test_the_installation_schedules_retention_and_its_own_pruning():
    schedule.enqueue_due_jobs()

    paths = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert {
        "ventanilla.privacy.tasks.apply_retention_daily",
        "ventanilla.core.tasks.prune_task_rows",
        "ventanilla.core.tasks.prune_old_live_events",
        "ventanilla.conversations.ingest.prune_deliveries",
        "ventanilla.conversations.polling.poll_public_channels",
    } <= paths


def test_old_finished_task_rows_go_failed_ones_are_kept_longer_and_queued_ones_stay():
    now = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)

    def row(status: str, days_ago: float | None) -> str:
        result = tick.enqueue()
        finished = None if days_ago is None else now - dt.timedelta(days=days_ago)
        DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished)
        return str(result.id)

    old_done, new_done = row("SUCCESSFUL", 3), row("SUCCESSFUL", 1)
    old_failed, recent_failed = row("FAILED", 31), row("FAILED", 10)
    waiting = row("READY", None)

    assert prune_finished_task_rows(now=now) == 2
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert left == {new_done, recent_failed, waiting}
    assert old_done not in left and old_failed not in left
