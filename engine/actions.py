"""Enqueueing work, and keeping the task engine healthy (stalled tasks, retries, old results).

Project code enqueues through `enqueue()`, never `task.enqueue()` directly:

- on the database backend the task row is written in the caller's
  transaction, so a committed change always has its task and a rolled-back
  one never has (no window between the commit and the enqueue);
- on another backend (RQ on Redis) the task is enqueued once the
  transaction commits (a worker must not run before the change is visible);
- an engine that cannot be reached is logged, never raised: the change is
  committed and answered as usual, and the sweep of the app that owns the
  work (e.g. `hooks.tasks.sweep_deliveries`) finds it later.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from engine.compat import Task, TaskResult, TaskResultStatus, task_backends

logger = logging.getLogger(__name__)

# Written as the exception of a task whose worker was lost too many times.
WORKER_LOST = "engine.WorkerLost"


def uses_database(task: Task) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[task.backend], DatabaseBackend)


def enqueue(task: Task, *args, run_after: datetime | None = None, **kwargs) -> None:
    """Ask for `task(*args, **kwargs)` (at `run_after` at the earliest), bound to the current transaction."""
    if run_after is not None:
        task = task.using(run_after=run_after)
    if uses_database(task):
        # A savepoint: a failed insert must not break the caller's transaction.
        try:
            with transaction.atomic():
                task.enqueue(*args, **kwargs)
        except DatabaseError:
            logger.exception("could not enqueue %s; its sweep will find the work", task.name)
        return
    transaction.on_commit(lambda: _enqueue_now(task, args, kwargs))


def _enqueue_now(task: Task, args, kwargs) -> TaskResult | None:
    try:
        return task.enqueue(*args, **kwargs)
    except Exception:  # Redis down, a timeout: the sweep finds the work later
        logger.exception("could not enqueue %s; its sweep will find the work", task.name)
        return None


# --- the database backend's upkeep ----------------------------------------------


def recover_stalled(*, now: datetime | None = None) -> dict[str, int]:
    """Tasks still running long after any OCC task would have finished lost their worker.

    A worker killed (SIGKILL, OOM, the machine gone) leaves its task
    RUNNING for ever: nothing else in django-tasks-db takes it back. Each
    is made ready again (every OCC task re-reads its state and is safe to
    repeat), or failed, visibly, once it has lost OCC_TASKS_MAX_RECOVERIES
    workers (a task that kills its worker each time).
    """
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.OCC_TASKS_STALLED_AFTER_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    stalled = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff)
    for pk, started_at, worker_ids in stalled.values_list("pk", "started_at", "worker_ids"):
        # Conditional on the row as read, so two recoverers never both act on it.
        same = DBTaskResult.objects.filter(
            pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
        )
        lost = len(worker_ids or [])
        if lost > settings.OCC_TASKS_MAX_RECOVERIES:
            changed = same.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=WORKER_LOST,
                traceback=f"The worker running this task was lost {lost} times.",
            )
            counts["failed"] += changed
            if changed:
                logger.error("task %s lost its worker %s times; marked failed", pk, lost)
        else:
            changed = same.update(status=TaskResultStatus.READY, run_after=now)
            counts["requeued"] += changed
            if changed:
                logger.warning("task %s lost its worker; run again", pk)
    return counts


def retry(result_id: str) -> TaskResult:
    """An administrator runs a failed task again: the same task with the same arguments, now.

    A new task: the failed one stays in the list as it was. Works on every
    backend (the result is read through the Tasks API).
    """
    from audit.context import current_actor
    from audit.models import AuditEntry

    backend = task_backends["default"]
    result = backend.get_result(result_id)
    if result.status != TaskResultStatus.FAILED:
        raise ValueError("only a failed task can be retried")
    # Now: without the failed run's run_after (RQ would schedule, not queue, it).
    task = dataclasses.replace(result.task, run_after=None)
    new = task.enqueue(*result.args, **result.kwargs)
    # In the audit log like a configuration change: who ran which task again.
    actor = current_actor()
    user = actor.user if actor.user is not None and actor.user.pk else None
    AuditEntry.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        ip=actor.ip,
        action=AuditEntry.Action.CHANGED,
        object_type="django_tasks_db.DBTaskResult",
        object_id=str(result.id),
        object_repr=f"{result.task.name} {result.id}"[:200],
        changes={
            "status": {"from": str(TaskResultStatus.FAILED.value), "to": f"retried as {new.id}"}
        },
    )
    return new


def prune_finished(*, now: datetime | None = None) -> int:
    """Delete finished task rows older than OCC_TASKS_KEEP_FINISHED_DAYS (the table would only grow)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OCC_TASKS_KEEP_FINISHED_DAYS)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
