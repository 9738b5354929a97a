"""`run_in_db_thread` in production: the loop's pooled threads, connections handed back.

Under Django's test client a synchronous caller waits on the event loop and
the work runs in its thread (the other branch, used by every webhook test).
A server has no such caller: this runs the event loop the way uvicorn does,
with nobody waiting in `async_to_sync`.
"""

from __future__ import annotations

import asyncio
import threading

import pytest
from django.db import connection, connections

from interactions.models import Contact
from occ.lib import db_threads


@pytest.mark.django_db(transaction=True)
def test_the_work_runs_in_a_pooled_thread_and_gives_its_connection_back(settings):
    seen = {}

    def work(address):
        seen["thread"] = threading.current_thread()
        seen["connection"] = connections["default"]
        seen["branch_for_a_waiting_caller"] = db_threads._sync_caller_waiting()
        Contact.objects.create(address=address)
        return Contact.objects.filter(address=address).count()

    async def serve():
        seen["loop_thread"] = threading.current_thread()
        first = await db_threads.run_in_db_thread(work, "+393330000001")
        first_thread = seen["thread"]
        second = await db_threads.run_in_db_thread(work, "+393330000002")
        return first, second, first_thread

    first, second, first_thread = asyncio.run(serve())

    assert (first, second) == (1, 1)
    assert seen["branch_for_a_waiting_caller"] is False
    # Not the event loop's thread, nor the caller's: a thread of the loop's executor.
    for thread in (first_thread, seen["thread"]):
        assert thread is not seen["loop_thread"] and thread is not threading.current_thread()
        assert thread.name.startswith("asyncio")
    # Handed back after the call: an obsolete connection (CONN_MAX_AGE 0) is closed, as after a request.
    # (SQLite's in-memory test database is never closed; a pool keeps its connections.)
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
    pooled = bool(connection.settings_dict.get("OPTIONS", {}).get("pool"))
    if connection.settings_dict["CONN_MAX_AGE"] == 0 and not in_memory and not pooled:
        assert seen["connection"].connection is None
    # What the work wrote is committed (autocommit), visible here.
    assert Contact.objects.filter(address__in=["+393330000001", "+393330000002"]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_error_in_the_work_reaches_the_caller():
    def work():
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        asyncio.run(db_threads.run_in_db_thread(work))
