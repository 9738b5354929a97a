"""Enqueue → start latency of the task engine, per backend (a benchmark, not a test).

    .venv/bin/python -m bench.tasks                          # SQLite, and PostgreSQL/RQ when reachable
    .venv/bin/python -m bench.tasks --backends sqlite,postgres,rq --idle 60 --burst 300

For each backend: a fresh database (a temporary SQLite file, or the
PostgreSQL database of --database-url, dropped and migrated), one
`manage.py worker` process (its default 0.5 s poll on the database
backend), then

- idle: one task at a time at random gaps, each enqueued into an empty
  queue: what a webhook delivery or a timer waits at idle;
- burst: --burst tasks enqueued at once, each waiting for those before it:
  the latency under load, and the tasks per second one worker runs.

Latency is measured by the task itself (wall clock at start minus the
enqueue's). Prints p50/p99 per backend and phase.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def _env(backend: str, args) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SQLITE_PATH", "OCC_TASKS_BACKEND"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "occ.settings"
    if backend == "sqlite":
        env["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="occ-bench-tasks-")) / "occ.sqlite3")
    elif backend == "postgres":
        env["DATABASE_URL"] = args.database_url
    elif backend == "rq":
        env["DATABASE_URL"] = args.database_url
        env["OCC_TASKS_BACKEND"] = "rq"
        env["OCC_TASKS_REDIS_URL"] = args.redis_url
    return env


def _prepare(backend: str, env: dict, args) -> None:
    if backend in {"postgres", "rq"}:
        import psycopg

        url = args.database_url
        base, name = url.rsplit("/", 1)
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    if backend == "rq":
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def measure(backend: str, args) -> dict:
    """Run in a child process whose environment selects the backend."""
    import django

    django.setup()
    from django.db import connection

    from bench.task_probe import started_after
    from engine.compat import task_backends

    backend_obj = task_backends["default"]
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "-v0", "--interval", str(args.interval)],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def wait_for(ids: list[str], timeout: float) -> list[float]:
        """Each task's wait, polling one task at a time (in queue order) to load the engine little."""
        deadline = time.monotonic() + timeout
        waited = []
        for result_id in ids:
            while True:
                result = backend_obj.get_result(result_id)
                if result.status == "SUCCESSFUL":
                    waited.append(result.return_value)
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"task {result_id} never ran")
                time.sleep(0.05)
        connection.close()
        return waited

    try:
        wait_for([started_after.enqueue(time.time()).id], 60)  # the worker is up
        idle = []
        for _ in range(args.idle):
            time.sleep(random.uniform(0.1, 0.4))
            idle += wait_for([started_after.enqueue(time.time()).id], 30)
        start = time.monotonic()
        ids = [started_after.enqueue(time.time()).id for _ in range(args.burst)]
        enqueue_seconds = time.monotonic() - start
        burst = wait_for(ids, 300)
        total = time.monotonic() - start
    finally:
        worker.terminate()
        worker.wait(30)
    return {
        "backend": backend,
        "idle_p50_ms": percentile(idle, 50) * 1000,
        "idle_p99_ms": percentile(idle, 99) * 1000,
        "idle_n": len(idle),
        "burst_p50_ms": percentile(burst, 50) * 1000,
        "burst_p99_ms": percentile(burst, 99) * 1000,
        "burst_n": len(burst),
        "burst_tasks_per_s": len(burst) / total,
        "enqueue_per_s": len(ids) / enqueue_seconds if enqueue_seconds else float("inf"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", default="sqlite,postgres,rq")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/occ_bench_tasks"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--idle", type=int, default=60, help="tasks enqueued one at a time")
    parser.add_argument("--burst", type=int, default=300, help="tasks enqueued at once")
    parser.add_argument(
        "--interval", type=float, default=0.5, help="the database worker's poll interval"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args)))
        return
    rows = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        env = _env(backend, args)
        try:
            _prepare(backend, env, args)
        except Exception as exc:  # PostgreSQL or Redis not running: skip that backend
            print(f"{backend}: skipped ({exc})", file=sys.stderr)
            continue
        argv = [
            sys.executable,
            "-m",
            "bench.tasks",
            "--measure",
            backend,
            "--idle",
            str(args.idle),
            "--burst",
            str(args.burst),
            "--interval",
            str(args.interval),
        ]
        out = subprocess.run(
            argv, cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(
        f"{'backend':<10} {'idle p50':>9} {'idle p99':>9} {'burst p50':>10} {'burst p99':>10} {'tasks/s':>8} {'enqueues/s':>11}"
    )
    for r in rows:
        print(
            f"{r['backend']:<10} {r['idle_p50_ms']:>7.0f}ms {r['idle_p99_ms']:>7.0f}ms {r['burst_p50_ms']:>8.0f}ms "
            f"{r['burst_p99_ms']:>8.0f}ms {r['burst_tasks_per_s']:>8.0f} {r['enqueue_per_s']:>11.0f}"
        )
    print(
        f"(idle: {rows[0]['idle_n'] if rows else 0} tasks one at a time; burst: {args.burst} at once; "
        f"database worker poll interval {args.interval} s; one worker)"
    )


if __name__ == "__main__":
    main()
