"""A task whose worker was lost is run again; one that keeps losing its worker fails visibly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from engine import actions, timers
from engine.tasks import upkeep

pytestmark = pytest.mark.django_db


def stalled_task(workers: int, minutes: int = 10) -> DBTaskResult:
    from engine.tasks import tick

    result = tick.enqueue("nothing.registered", "token")
    DBTaskResult.objects.filter(pk=result.id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=minutes),
        worker_ids=[f"lost-{n}" for n in range(workers)],
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_running_past_the_limit_is_made_ready_again_and_runs(settings, run_tasks):
    settings.OCC_TASKS_STALLED_AFTER_SECONDS = 300
    lost = stalled_task(workers=1)
    recent = stalled_task(workers=1, minutes=1)  # may still be running: left alone
    assert actions.recover_stalled() == {"requeued": 1, "failed": 0}
    run_tasks()
    lost.refresh_from_db()
    assert lost.status == "SUCCESSFUL" and lost.worker_ids == ["lost-0", "test-worker"]
    assert DBTaskResult.objects.get(pk=recent.pk).status == "RUNNING"


def test_a_task_that_keeps_losing_its_worker_is_failed_visibly(settings, admin_client):
    settings.OCC_TASKS_MAX_RECOVERIES = 3
    doomed = stalled_task(workers=4)
    assert upkeep()["failed"] == 1
    doomed.refresh_from_db()
    assert doomed.status == "FAILED" and doomed.exception_class_path == actions.WORKER_LOST
    assert "lost 4 times" in admin_client.get("/settings/tasks/").content.decode()


def test_finished_tasks_are_forgotten_after_the_keeping_time(settings, run_tasks):
    from engine.tasks import tick

    settings.OCC_TASKS_KEEP_FINISHED_DAYS = 7
    tick.enqueue("nothing.registered", "token")
    run_tasks()
    assert actions.prune_finished() == 0
    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=8))
    assert actions.prune_finished() == 1


def test_a_timer_token_changes_with_the_state_it_was_taken_from():
    now = timezone.now()
    seen = timers.token(now, "assigned", 7)
    assert not timers.moved_on(seen, now, "assigned", 7)
    assert timers.moved_on(seen, now + timedelta(microseconds=1), "assigned", 7)
    assert timers.moved_on(seen, now, "closed", 7)


def test_an_unknown_task_backend_is_a_system_check_error(settings):
    from engine.checks import tasks_backend

    settings.OCC_TASKS_BACKEND = "celery"
    assert [e.id for e in tasks_backend(None)] == ["engine.E001"]
    settings.OCC_TASKS_BACKEND = "database"
    assert tasks_backend(None) == []
