"""The embedded default: two writers on the SQLite file wait for each other instead of failing.

With SQLite's default (deferred) transactions, a transaction that read and
then writes fails at once with "database is locked" when another wrote
meanwhile: the webhook answers 503 and, from the sandbox's phone (which
does not retry as Twilio does), the message is never stored. Transactions
begin IMMEDIATE (occ/settings.py), so the second writer waits its turn.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.conf import settings
from django.db.utils import ConnectionHandler

ENGINE = "django.db.backends.sqlite3"


def read_then_write(connection, errors: list, started: threading.Barrier) -> None:
    try:
        # What transaction.atomic() does on this connection (which is not in django.db.connections).
        started.wait(timeout=5)  # both begin together
        connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM visit")
            (count,) = cursor.fetchone()
            time.sleep(0.2)  # the other writer reads meanwhile
            cursor.execute("INSERT INTO visit (n) VALUES (%s)", [count + 1])
        connection.commit()
    except Exception as exc:  # noqa: BLE001 (the failure is the test's finding)
        errors.append(exc)
    finally:
        connection.close()


def run_two_writers(tmp_path, options: dict) -> tuple[list, int]:
    base = {
        **settings.DATABASES["default"],
        "NAME": str(tmp_path / "db.sqlite3"),
        "OPTIONS": options,
    }
    handler = ConnectionHandler({"default": dict(base), "one": dict(base), "two": dict(base)})
    with handler["one"].cursor() as cursor:
        cursor.execute("CREATE TABLE visit (n INTEGER)")
    handler["one"].close()
    errors: list = []
    started = threading.Barrier(2)
    connections = [handler[alias] for alias in ("one", "two")]
    for connection in connections:
        connection.inc_thread_sharing()  # made here, used by its one thread
    threads = [
        threading.Thread(target=read_then_write, args=(connection, errors, started))
        for connection in connections
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with handler["one"].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM visit")
        (rows,) = cursor.fetchone()
    handler["one"].close()
    return errors, rows


@pytest.fixture
def sqlite_options(django_db_blocker):
    """The project's SQLite options; the test's own file, not the test database."""
    if settings.DATABASES["default"]["ENGINE"] != ENGINE:
        pytest.skip("the embedded default only: PostgreSQL has row locks")
    with django_db_blocker.unblock():
        yield dict(settings.DATABASES["default"]["OPTIONS"])


def test_the_second_writer_waits_and_both_are_stored(tmp_path, sqlite_options):
    errors, rows = run_two_writers(tmp_path, sqlite_options)
    assert errors == [] and rows == 2


def test_with_deferred_transactions_the_second_writer_fails(tmp_path, sqlite_options):
    """What the setting prevents (so the test above can fail)."""
    errors, rows = run_two_writers(tmp_path, {**sqlite_options, "transaction_mode": "DEFERRED"})
    assert rows == 1 and len(errors) == 1 and "locked" in str(errors[0])
