"""A task worker process killed (SIGKILL) at a chosen statement, and the steps around it.

Run by tests/tasks/test_worker_killed.py as
`python -m tests.tasks.crash_worker <step> [arguments]` with SQLITE_PATH or
DATABASE_URL naming the database every step shares:

- `setup <receiver url>`: an endpoint and one event, its delivery task queued;
- `work <point>`: the real database worker loop, killed at <point>;
- `later`: as if the claim's lease and the stalled-task limit had passed;
- `report`: what the database holds, as JSON.

SIGKILL gives the worker no chance to clean up: what the database keeps is
what a killed worker leaves.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import timedelta

from tests.faults.crash_worker import KillAfter

# point -> (statement fragment, kill before executing it)
POINTS = {
    # The attempt is claimed on the delivery row; the request is not sent yet.
    "after-claim": ('UPDATE "hooks_delivery" SET "lease_until"', False),
    # The receiver has answered 200; the outcome is not recorded yet.
    "after-post": ('INSERT INTO "hooks_attempt"', True),
}


def setup(url: str) -> None:
    from django.db import transaction

    from hooks.actions import create_endpoint
    from hooks.outbox import record

    create_endpoint(url=url)
    with transaction.atomic():
        record("interaction.closed", {"interaction": {"id": 1, "state": "closed"}})


def work(point: str) -> None:
    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    fragment, before = POINTS[point]
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="killed-worker",
        excluded_queue_names=[],
    )
    with connection.execute_wrapper(KillAfter(fragment, before)):
        worker.run()


def later() -> None:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from hooks.models import Delivery

    past = timezone.now() - timedelta(hours=1)
    DBTaskResult.objects.filter(status="RUNNING").update(started_at=past)
    Delivery.objects.exclude(lease_until=None).update(lease_until=past)


def report() -> None:
    from django_tasks_db.models import DBTaskResult

    from hooks.models import Attempt, Delivery

    tasks = list(
        DBTaskResult.objects.filter(task_path="hooks.tasks.deliver_event").values(
            "status", "worker_ids"
        )
    )
    deliveries = list(Delivery.objects.values("state", "attempts", "lease_until", "event_id"))
    print(
        json.dumps(
            {"tasks": tasks, "deliveries": deliveries, "attempts": Attempt.objects.count()},
            default=str,
        )
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occ.settings")
    import django

    django.setup()
    step, args = sys.argv[1], sys.argv[2:]
    {"setup": setup, "work": work, "later": later, "report": report}[step](*args)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
