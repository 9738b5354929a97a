"""Periodic jobs on an engine that has none: a self-rescheduling tick per job, one chain each.

    from engine.periodic import every

    @every(60, "agents.sweep_presence")
    def sweep_presence() -> None: ...

Registered from an app's `tasks.py` (imported by every process at start).
Each job is a chain of `engine.tasks.tick(name, token)` tasks: a tick first
moves the job's `Schedule` row to a new token and enqueues the next tick
(in the same transaction on the database backend, so a crash during the
job never breaks the chain), then runs the job. A tick whose token is no
longer the row's does nothing: a second chain (two workers started at once,
a restarted chain whose old tick turns up) dies at its next tick.

`ensure_scheduled()` starts a chain that is missing or lost (overdue by
more than one interval and a margin): the `worker` command calls it when it
starts and every tick calls it, so one live chain restarts the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

# A chain this late (beyond its interval) is taken as lost and started again.
LOST_AFTER = timedelta(seconds=120)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    every: Callable[[], float]


_jobs: dict[str, Job] = {}


def every(seconds: float | Callable[[], float], name: str) -> Callable:
    """Register `func` to run every `seconds` (a number, or a callable read each time: a setting)."""
    interval = seconds if callable(seconds) else (lambda: float(seconds))

    def register(func: Callable[[], object]) -> Callable[[], object]:
        _jobs[name] = Job(name=name, func=func, every=interval)
        return func

    return register


def jobs() -> dict[str, Job]:
    return dict(_jobs)


def _new_token() -> str:
    return uuid.uuid4().hex


def ensure_scheduled(*, now: datetime | None = None) -> list[str]:
    """Start the chain of every registered job that has none running; the names started."""
    from engine import actions, tasks
    from engine.models import Schedule

    now = now or timezone.now()
    started = []
    for job in _jobs.values():
        row, _ = Schedule.objects.get_or_create(
            name=job.name, defaults={"token": "", "next_run_at": now}
        )
        late = now - row.next_run_at
        if row.token and late <= timedelta(seconds=job.every()) + LOST_AFTER:
            continue
        token = _new_token()
        with transaction.atomic():
            # Conditional on the token read: of two workers starting at once, one wins.
            if not Schedule.objects.filter(name=job.name, token=row.token).update(
                token=token, next_run_at=now
            ):
                continue
            actions.enqueue(tasks.tick, job.name, token)
        started.append(job.name)
        logger.info("periodic job %s started", job.name)
    return started


def run_tick(name: str, token: str, *, now: datetime | None = None) -> bool:
    """The body of `engine.tasks.tick`: False when this tick was superseded (it then does nothing)."""
    from engine import actions, tasks
    from engine.models import Schedule

    job = _jobs.get(name)
    if job is None:
        logger.warning("periodic job %s is not registered; its chain ends", name)
        return False
    now = now or timezone.now()
    next_at = now + timedelta(seconds=job.every())
    new_token = _new_token()
    with transaction.atomic():
        if not Schedule.objects.filter(name=name, token=token).update(
            token=new_token, next_run_at=next_at, last_run_at=now
        ):
            return False
        actions.enqueue(tasks.tick, name, new_token, run_after=next_at)
    try:
        job.func()
    finally:
        ensure_scheduled()
    return True
