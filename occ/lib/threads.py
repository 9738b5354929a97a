"""Database work in threads Django does not manage: their connections are handed back.

Django closes a request thread's obsolete connections when a request
starts and ends (`close_old_connections`). Threads of our own (after-commit
work, the webhook dispatcher, a desk's send, the sandbox's callbacks) have
no request around them, so they use these instead; a connection left open
by a thread that ends is leaked until PostgreSQL drops it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.db import close_old_connections, connections

T = TypeVar("T")


def _around(work: Callable[..., T], after: Callable[[], None]) -> Callable[..., T]:
    @functools.wraps(work)
    def run(*args, **kwargs):
        close_old_connections()
        try:
            return work(*args, **kwargs)
        finally:
            after()

    return run


def with_connections_closed(work: Callable[..., T]) -> Callable[..., T]:
    """`work` for a thread that ends after it: obsolete connections closed first, every one after."""
    return _around(work, connections.close_all)


def with_connections_handed_back(work: Callable[..., T]) -> Callable[..., T]:
    """`work` for a pooled thread that lives on: its connection kept if usable, closed if obsolete."""
    return _around(work, close_old_connections)
