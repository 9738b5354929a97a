"""Work that must not hold up a webhook's answer, started after the commit.

Twilio waits at most 15 s for a webhook and then may deliver it again (to
the fallback URL), so a call to a provider (an automatic reply) never runs
inside the webhook: the row to send is stored in the webhook's transaction,
and the sending starts in a daemon thread once that transaction commits.
A thread, not a task queue, because the work is one bounded HTTP call
(TWILIO_TIMEOUT_SECONDS, at most 10 s) and the project runs no worker
process. If the process dies first, the message stays `pending` in the
database, shown as such on the desk: it is not lost, only unsent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.db import transaction

from occ.lib.threads import with_connections_closed

logger = logging.getLogger(__name__)

_threads: set[threading.Thread] = set()
_lock = threading.Lock()


def _run(name: str, work: Callable[[], object]) -> None:
    try:
        # A thread's connections are its own: closed when it is done, or they leak.
        with_connections_closed(work)()
    except Exception:
        logger.exception("background work %s failed", name)
    finally:
        with _lock:
            _threads.discard(threading.current_thread())


def start(name: str, work: Callable[[], object]) -> threading.Thread:
    thread = threading.Thread(target=_run, args=(name, work), name=f"occ-{name}", daemon=True)
    with _lock:
        _threads.add(thread)
    thread.start()
    return thread


def after_commit(name: str, work: Callable[[], object]) -> None:
    """Run `work` in a background thread once the current transaction commits."""
    transaction.on_commit(lambda: start(name, work))


def wait(timeout: float = 30.0) -> None:
    """Wait for the background work started so far (tests, shutdown)."""
    with _lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)
