"""A background thread per process that delivers webhooks after commits and retries.

Woken by each commit that wrote to the outbox, it does the network I/O away
from the request thread, so a slow or failing receiver never delays the
Twilio webhook that caused the event. While deliveries are pending it sleeps
until the next is due; with nothing pending it waits to be woken. The
`deliver_webhooks` command does the same job as a separate process.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

from occ.lib.threads import with_connections_closed

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_wake = threading.Event()
_stop = threading.Event()
_idle = threading.Event()
_thread: threading.Thread | None = None


def wake() -> None:
    """Ask the thread to look for due deliveries (starting it if needed)."""
    global _thread
    if not settings.OCC_WEBHOOK_DELIVER_IN_PROCESS:
        return
    with _lock:
        if _thread is None or not _thread.is_alive():
            _stop.clear()
            _thread = threading.Thread(target=_run, name="occ-webhooks", daemon=True)
            _thread.start()
        _idle.clear()
        _wake.set()


def _run() -> None:
    from hooks.delivery import deliver_due, next_due_in

    timeout = None
    while not _stop.is_set():
        if not _wake.wait(timeout):
            pass  # the next retry is due
        _wake.clear()
        if _stop.is_set():
            break
        try:
            timeout = with_connections_closed(_one_pass)(deliver_due, next_due_in)
        except Exception:
            logger.exception("webhook dispatcher failed; retrying later")
            timeout = 30.0
        if not _wake.is_set():
            _idle.set()


def _one_pass(deliver_due, next_due_in) -> float | None:
    deliver_due()
    return next_due_in()


def wait_idle(timeout: float = 10.0) -> bool:
    """Block until the thread has handled every wake-up so far (for tests and shutdown)."""
    return _idle.wait(timeout)


def stop(timeout: float = 10.0) -> None:
    global _thread
    with _lock:
        thread = _thread
        _thread = None
    if thread is not None:
        _stop.set()
        _wake.set()
        thread.join(timeout)
