"""Run a task worker: every piece of OCC's background work (run one or more, beside the web workers)."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.crypto import get_random_string

from engine import actions, periodic, tasks


class Command(BaseCommand):
    help = (
        "Run a task worker: the database backend's db_worker, or an RQ worker with its scheduler. "
        "On start it takes back the tasks of lost workers and starts the periodic jobs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", action="store_true", help="Run the tasks that are due, then exit."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="Database backend: seconds between looks at an empty queue.",
        )
        parser.add_argument(
            "--worker-id", default="", help="A name unique among the workers (default: random)."
        )
        parser.add_argument(
            "--max-tasks",
            type=int,
            default=None,
            help="Exit after this many tasks (a supervisor restarts it).",
        )

    def handle(
        self, *args, batch=False, interval=0.5, worker_id="", max_tasks=None, verbosity=1, **options
    ):
        worker_id = worker_id or get_random_string(24)
        on_database = actions.uses_database(tasks.tick)
        if on_database:
            recovered = actions.recover_stalled()
            if any(recovered.values()):
                self.stdout.write(f"tasks of lost workers: {recovered}")
        started = periodic.ensure_scheduled()
        if started and verbosity:
            self.stdout.write(f"periodic jobs started: {', '.join(started)}")
        if on_database:
            call_command(
                "db_worker",
                queue_name="*",
                interval=interval,
                batch=batch,
                reload=False,
                startup_delay=not batch,
                worker_id=worker_id,
                max_tasks=max_tasks,
                verbosity=verbosity,
            )
        else:
            # The scheduler moves tasks whose run_after has come into the queue.
            call_command(
                "rqworker",
                "default",
                with_scheduler=True,
                job_class="django_tasks_rq.backend.Job",
                burst=batch,
                name=worker_id,
                max_jobs=max_tasks,
                verbosity=verbosity,
            )
