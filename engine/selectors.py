"""What the console shows about the task engine: counts, periodic jobs, the last failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from engine import periodic
from engine.actions import uses_database
from engine.compat import TaskResultStatus


@dataclass
class Failure:
    id: str
    name: str
    at: datetime | None
    error: str
    arguments: str


@dataclass
class Health:
    backend: str
    reachable: bool = True
    due: int = 0  # ready to run now
    scheduled: int = 0  # waiting for their run_after
    running: int = 0
    stalled: int = 0  # running for longer than any OCC task should
    failed: int = 0
    succeeded_last_day: int = 0
    oldest_due_at: datetime | None = None
    last_started_at: datetime | None = None
    workers: int | None = None  # known on RQ only
    failures: list[Failure] = field(default_factory=list)
    schedules: list[dict] = field(default_factory=list)

    @property
    def worker_missing(self) -> bool:
        """Tasks have been due for over a minute and none started meanwhile: no worker is running."""
        if self.oldest_due_at is None:
            return False
        waiting_since = timezone.now() - self.oldest_due_at
        started_recently = (
            self.last_started_at is not None and self.last_started_at > self.oldest_due_at
        )
        return waiting_since > timedelta(seconds=60) and not started_recently


def _last_line(traceback: str) -> str:
    lines = [line for line in (traceback or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _arguments(args, kwargs) -> str:
    parts = [repr(a) for a in args or []] + [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
    return ", ".join(parts)[:200]


def health(*, failures: int = 20) -> Health:
    from engine import tasks

    if uses_database(tasks.tick):
        result = _database_health(failures)
    else:
        result = _rq_health(failures)
    result.schedules = _schedules()
    return result


def _schedules() -> list[dict]:
    from engine.models import Schedule

    now = timezone.now()
    rows = {row.name: row for row in Schedule.objects.all()}
    shown = []
    for name, job in sorted(periodic.jobs().items()):
        row = rows.get(name)
        late = (
            row is not None
            and row.next_run_at < now - timedelta(seconds=job.every()) - periodic.LOST_AFTER
        )
        shown.append(
            {
                "name": name,
                "every": int(job.every()),
                "last_run_at": row and row.last_run_at,
                "next_run_at": row and row.next_run_at,
                "late": row is None or late,
            }
        )
    return shown


def _database_health(limit: int) -> Health:
    from django.db.models import Count, Max, Min, Q
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    stalled_before = now - timedelta(seconds=settings.OCC_TASKS_STALLED_AFTER_SECONDS)
    ready = Q(status=TaskResultStatus.READY)
    due = ready & (Q(run_after=get_date_max()) | Q(run_after__lte=now))
    counts = DBTaskResult.objects.aggregate(
        due=Count("pk", filter=due),
        scheduled=Count("pk", filter=ready & Q(run_after__gt=now) & ~Q(run_after=get_date_max())),
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        stalled=Count(
            "pk", filter=Q(status=TaskResultStatus.RUNNING, started_at__lte=stalled_before)
        ),
        failed=Count("pk", filter=Q(status=TaskResultStatus.FAILED)),
        succeeded=Count(
            "pk",
            filter=Q(status=TaskResultStatus.SUCCESSFUL, finished_at__gte=now - timedelta(days=1)),
        ),
        oldest_due=Min("enqueued_at", filter=due),
        last_started=Max("started_at"),
    )
    result = Health(
        backend="database",
        due=counts["due"],
        scheduled=counts["scheduled"],
        running=counts["running"],
        stalled=counts["stalled"],
        failed=counts["failed"],
        succeeded_last_day=counts["succeeded"],
        oldest_due_at=counts["oldest_due"],
        last_started_at=counts["last_started"],
    )
    for row in DBTaskResult.objects.failed().order_by("-finished_at")[:limit]:
        args_kwargs = row.args_kwargs or {}
        result.failures.append(
            Failure(
                id=str(row.pk),
                name=row.task_path,
                at=row.finished_at,
                error=_last_line(row.traceback),
                arguments=_arguments(args_kwargs.get("args"), args_kwargs.get("kwargs")),
            )
        )
    return result


def _rq_health(limit: int) -> Health:
    import django_rq
    from django_tasks_rq.backend import Job
    from redis.exceptions import RedisError
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry
    from rq.worker import Worker

    result = Health(backend="rq")
    try:
        queue = django_rq.get_queue("default", job_class=Job)
        result.due = queue.count
        result.scheduled = ScheduledJobRegistry(queue=queue).count
        result.running = StartedJobRegistry(queue=queue).count
        failed = FailedJobRegistry(queue=queue)
        result.failed = failed.count
        result.workers = Worker.count(queue=queue)
        for job_id in failed.get_job_ids(0, limit - 1)[::-1]:
            job = Job.fetch(job_id, connection=queue.connection)
            latest = job.latest_result()
            result.failures.append(
                Failure(
                    id=job.id,
                    name=job.func_name,
                    at=job.ended_at,
                    error=_last_line(latest.exc_string if latest is not None else ""),
                    arguments=_arguments(job.args, job.kwargs),
                )
            )
    except RedisError:
        result.reachable = False
    return result
