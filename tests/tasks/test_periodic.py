"""Periodic jobs as self-rescheduling ticks: one chain each, however many workers start them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from engine import periodic
from engine.models import Schedule
from tests.conftest import make_tasks_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(monkeypatch):
    """A job of this test alone, registered for its duration, that counts its runs (and may fail)."""
    runs = []
    fail = []

    def job():
        runs.append(timezone.now())
        if fail:
            raise RuntimeError("the job fails")

    monkeypatch.setattr(periodic, "_jobs", {})
    periodic.every(60, "test.counted")(job)
    return runs, fail


def ticks(state="READY"):
    return DBTaskResult.objects.filter(task_path="engine.tasks.tick", status=state)


def test_starting_twice_makes_one_chain(counted, run_tasks):
    runs, _ = counted
    assert periodic.ensure_scheduled() == ["test.counted"]
    assert periodic.ensure_scheduled() == []  # a second worker starting finds it running
    assert ticks().count() == 1
    run_tasks()
    assert len(runs) == 1
    nxt = ticks().get()
    assert (nxt.run_after - Schedule.objects.get().last_run_at).total_seconds() == pytest.approx(60)


def test_a_duplicate_tick_does_nothing(counted, run_tasks):
    runs, _ = counted
    periodic.ensure_scheduled()
    stale = ticks().get()
    run_tasks()
    DBTaskResult.objects.filter(pk=stale.pk).update(status="READY")  # the same tick turns up again
    run_tasks()
    assert len(runs) == 1 and DBTaskResult.objects.get(pk=stale.pk).return_value is False
    assert ticks().count() == 1


def test_a_failing_job_keeps_its_chain(counted, run_tasks):
    runs, fail = counted
    fail.append(True)
    periodic.ensure_scheduled()
    run_tasks()
    assert len(runs) == 1 and ticks("FAILED").count() == 1  # visible in the console
    make_tasks_due()
    run_tasks()
    assert len(runs) == 2 and ticks().count() == 1  # and it runs again at the next interval


def test_a_lost_chain_is_started_again(counted, run_tasks):
    runs, _ = counted
    periodic.ensure_scheduled()
    DBTaskResult.objects.all().delete()  # the queue lost its tick (a Redis without persistence)
    assert periodic.ensure_scheduled() == []  # not late yet
    Schedule.objects.update(
        next_run_at=timezone.now()
        - timedelta(seconds=60)
        - periodic.LOST_AFTER
        - timedelta(seconds=1)
    )
    assert periodic.ensure_scheduled() == ["test.counted"]
    run_tasks()
    assert len(runs) == 1


def test_the_project_registers_its_periodic_jobs():
    assert {
        "engine.upkeep",
        "hooks.sweep_deliveries",
        "hooks.prune_outbox",
        "agents.sweep_presence",
        "interactions.sweep_outbound",
    } <= set(periodic.jobs())
