"""A task worker killed with SIGKILL mid-delivery: the task runs again and the receiver has the event once.

Every step runs in a process of its own against one database, on SQLite
(a file) and on PostgreSQL: the queued delivery, the worker killed at a
chosen statement, then `manage.py worker` started afresh (as a supervisor
restarts it) once the claim and the stalled-task limit have passed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def run(env: dict, *args: str, expect_kill: bool = False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    if expect_kill:
        assert result.returncode == -signal.SIGKILL, (
            f"not killed: {result.stdout} {result.stderr[-2000:]}"
        )
    else:
        assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def step(env: dict, *args: str, **kwargs) -> str:
    return run(env, sys.executable, "-m", "tests.tasks.crash_worker", *args, **kwargs)


def base_env() -> dict:
    drop = {
        "REDIS_URL",
        "OCC_PUBLIC_BASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DATABASE_URL",
        "SQLITE_PATH",
        "OCC_TASKS_BACKEND",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        DJANGO_SETTINGS_MODULE="occ.settings", OCC_WEBHOOK_TIMEOUT_SECONDS="5", DB_CONN_MAX_AGE="0"
    )
    return env


@pytest.fixture
def sqlite_env(tmp_path):
    env = base_env() | {"SQLITE_PATH": str(tmp_path / "occ.sqlite3")}
    run(env, sys.executable, "manage.py", "migrate", "-v0")
    return env


@pytest.fixture
def postgres_env():
    """This test's PostgreSQL database (emptied after the test), for the processes to share."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgresql://...")
    db = connection.settings_dict
    return base_env() | {
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    }


@pytest.fixture(params=["sqlite", "postgres"])
def shared_db(request):
    return request.getfixturevalue(f"{request.param}_env")


@pytest.mark.parametrize("point", ["after-claim", "after-post"])
def test_a_killed_worker_s_delivery_is_made_once_it_is_restarted(shared_db, receiver, point):
    step(shared_db, "setup", receiver.url)
    step(shared_db, "work", point, expect_kill=True)
    killed = json.loads(step(shared_db, "report"))
    assert killed["tasks"] == [
        {"status": "RUNNING", "worker_ids": ["killed-worker"]}
    ]  # left behind
    assert killed["deliveries"][0]["state"] == "pending" and killed["deliveries"][0]["lease_until"]
    assert len(receiver.requests) == (0 if point == "after-claim" else 1)

    step(shared_db, "later")
    run(shared_db, sys.executable, "manage.py", "worker", "--batch", "-v0")
    done = json.loads(step(shared_db, "report"))
    assert (
        done["tasks"][0]["status"] == "SUCCESSFUL" and len(done["tasks"][0]["worker_ids"]) == 2
    )  # run again
    delivery = done["deliveries"][0]
    assert delivery["state"] == "delivered" and delivery["attempts"] == 1 and done["attempts"] == 1
    event_id = delivery["event_id"]
    # Nothing lost; the receiver has the event once: sent once, or (killed after the
    # receiver answered) sent again as the same event, byte for byte, for it to drop.
    assert set(receiver.acknowledged()) == {event_id}
    assert len(receiver.requests) == (1 if point == "after-claim" else 2)
    assert len({r["body"] for r in receiver.requests}) == 1
