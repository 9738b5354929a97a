"""Two and four worker processes on PostgreSQL take disjoint tasks: each task runs once, by one worker."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from tests.tasks.probe import mark

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("workers", [2, 4])
def test_workers_take_disjoint_tasks(workers, tmp_path):
    out = tmp_path / "runs.txt"
    count = 60
    for n in range(count):
        mark.enqueue(str(out), n, 0.05)
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "OCC_TASKS_BACKEND"}}
    env.update(
        DJANGO_SETTINGS_MODULE="occ.settings",
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--batch", "-v0", "--worker-id", f"w{i}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(workers)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err[-2000:]
    runs = Counter(int(line.split()[0]) for line in out.read_text().splitlines())
    assert runs == Counter(range(count))  # every task ran, none twice
    results = DBTaskResult.objects.filter(task_path="tests.tasks.probe.mark")
    assert set(results.values_list("status", flat=True)) == {"SUCCESSFUL"}
    by_worker = Counter(r.worker_ids[0] for r in results)
    assert all(len(r.worker_ids) == 1 for r in results)  # one worker each
    assert set(by_worker) <= {f"w{i}" for i in range(workers)}
    assert len(by_worker) >= 2, f"only one worker took tasks: {by_worker}"
