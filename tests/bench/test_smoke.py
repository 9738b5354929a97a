"""The benchmark, small and fast, as a correctness check on PostgreSQL + Redis.

A real uvicorn with two workers on the test database, desks connected over
WebSockets with session cookies, signed webhooks (with repeats), status
callbacks, a burst that overflows the agents' capacity, the queue drained by
closing conversations, and idle desks past redis-py's old 5-second timeout.
Only correctness is asserted: nothing lost, nothing doubled, cap held, queue
drained in order. The speed figures come from `python -m bench.run`.
"""

from __future__ import annotations

import asyncio
import os
from urllib.parse import quote

import pytest
from django.db import connection

from bench.run import BENCH_SECRET_KEY, parse_args, run_once

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


def _test_database_url() -> str:
    """The database pytest-django created, so the server sees what the test seeds."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgresql://{credentials}@{host}/{db['NAME']}"


def test_small_benchmark_loses_and_doubles_nothing(settings, tmp_path):
    prefix = f"occsmoke{os.getpid()}"
    layer = dict(settings.CHANNEL_LAYERS["default"])
    layer["CONFIG"] = {**layer["CONFIG"], "prefix": prefix}
    settings.CHANNEL_LAYERS = {"default": layer}
    # The server runs the production settings, which refuse the development key;
    # the sessions seeded here are signed with the key the server will use.
    settings.SECRET_KEY = BENCH_SECRET_KEY

    args = parse_args(
        [
            "--phases", "inbound,status,burst,idle",
            "--agents", "4", "--services", "1", "--max-interactions", "2", "--warm", "4",
            "--inbound-count", "200", "--new-ratio", "0.1", "--dup-ratio", "0.1", "--concurrency", "8",
            "--outbound", "20", "--seconds", "20",
            "--rate", "40", "--burst-factor", "2.5", "--burst-seconds", "1", "--burst-new", "12",
            "--idle-seconds", "6",
        ]
    )  # fmt: skip
    args.database_url = _test_database_url()
    args.redis_url = os.environ["REDIS_URL"]
    args.prefix = prefix

    report = asyncio.run(run_once(args, 2, tmp_path / "server.log"))
    checks = report["checks"]

    assert report["desks"]["connected"] == 4
    assert report["inbound_throughput"]["status_codes"] == {
        200: report["inbound_throughput"]["requests"]
    }
    assert checks["sent_unique"] > 150
    assert checks["unacknowledged"] == 0 and checks["lost"] == 0, checks["examples"]
    assert checks["duplicated_rows"] == 0
    assert checks["duplicated_pushes"] == 0
    assert checks["undelivered"] == 0, checks["examples"]
    assert checks["live"] + checks["by_resync"] == checks["stored"] == checks["sent_unique"]
    assert checks["by_resync"] > 0  # the burst did queue conversations
    assert checks["over_cap"] == 0 and checks["max_open_seen"] == 2
    assert report["burst"]["queued_after"] > 0 and checks["queued_left"] == 0
    assert checks["fifo_violations"] == 0
    assert (
        checks["statuses_expected"] > 0 and checks["statuses_final"] == checks["statuses_expected"]
    )
    assert report["idle"]["still_open"] == report["idle"]["probe_received"] == 4
