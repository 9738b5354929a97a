"""Helpers of the PostgreSQL-only tests of the one-statement paths."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import connection, transaction

from interactions.models import Contact, Interaction, Message
from tests.interactions.conftest import T0

WAIT = 10  # seconds: a bound on every wait between threads

# Statements that only frame a transaction: not the path's own work.
NOISE = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT", "ROLLBACK")


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def fields(instance) -> dict:
    """Every concrete field's value, as the ORM holds it."""
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def database() -> dict:
    """Every row a path could write, to prove that nothing was written."""
    return {
        model.__name__: sorted(
            (fields(row) for row in model.objects.all()), key=lambda values: values["id"]
        )
        for model in (Contact, Interaction, Message)
    }


def own_statements(queries) -> list[str]:
    """The captured statements, without those that only frame a transaction."""
    return [q["sql"].strip() for q in queries if not q["sql"].strip().upper().startswith(NOISE)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def race_behind_lock(
    hold: Callable[[], object], meanwhile: Callable[[], object], *, waits_in: str | None = None
) -> dict:
    """Thread A runs `hold` in a transaction it keeps open; thread B then runs `meanwhile`.

    Asserts that B waits on A's lock (pg_stat_activity, pg_blocking_pids)
    inside a statement starting with `waits_in`, then lets A commit and
    returns {"held": what hold returned, "meanwhile": what meanwhile returned}.
    Every wait is bounded; both threads close their connections.
    """
    a_locked, a_release = threading.Event(), threading.Event()
    pids: dict[str, int] = {}
    outcome: dict[str, object] = {}
    errors: list[BaseException] = []

    def run_a():
        try:
            pids["a"] = _backend_pid()
            with transaction.atomic():
                outcome["held"] = hold()
                a_locked.set()
                assert a_release.wait(WAIT), "never released"
        except BaseException as exc:
            errors.append(exc)
        finally:
            a_locked.set()
            connection.close()

    def run_b():
        try:
            pids["b"] = _backend_pid()
            assert a_locked.wait(WAIT)
            outcome["meanwhile"] = meanwhile()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    a, b = threading.Thread(target=run_a), threading.Thread(target=run_b)
    a.start()
    b.start()
    try:
        assert a_locked.wait(WAIT)
        assert "held" in outcome, errors
        deadline = time.monotonic() + WAIT
        blocked = None
        while time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT query, pg_blocking_pids(pid) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
                    [pids.get("b", 0)],
                )
                blocked = cursor.fetchone()
            if blocked or errors or "meanwhile" in outcome:
                break
            time.sleep(0.02)
        assert blocked is not None, f"B never waited on A's lock ({errors}, {outcome})"
        assert (waits_in is None or blocked[0].strip().startswith(waits_in)) and pids[
            "a"
        ] in blocked[1]
    finally:
        a_release.set()
        a.join(WAIT)
        b.join(WAIT)
    assert not a.is_alive() and not b.is_alive()
    assert errors == []
    return outcome
