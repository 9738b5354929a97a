"""Database work in threads Django does not manage: their connections are handed back.

Django closes a request thread's obsolete connections when a request
starts and ends (`close_old_connections`). Threads of our own (after-commit
work, the webhook dispatcher, a desk's send, the sandbox's callbacks) have
no request around them, so they use these instead; a connection left open
by a thread that ends is leaked until PostgreSQL drops it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import close_old_connections, connections

T = TypeVar("T")


def with_connections_closed(work: Callable[..., T]) -> Callable[..., T]:
    """`work` for a thread that ends after it: obsolete connections closed first, every one after."""

    @functools.wraps(work)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return work(*args, **kwargs)
        finally:
            connections.close_all()

    return run


def with_connections_handed_back(work: Callable[..., T]) -> Callable[..., T]:
    """`work` for a pooled thread that lives on: its connection kept if usable, closed if obsolete."""

    @functools.wraps(work)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return work(*args, **kwargs)
        finally:
            close_old_connections()

    return run


def start_daemon(name: str, work: Callable[[], object]) -> threading.Thread:
    """A daemon thread running `work` with its connections closed when it ends."""
    thread = threading.Thread(target=with_connections_closed(work), name=name, daemon=True)
    thread.start()
    return thread
