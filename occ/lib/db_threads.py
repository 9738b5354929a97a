"""Database work from async views, in a pool of reused threads.

Django's ORM is synchronous, so an async view runs its queries through
`sync_to_async`. With `thread_sensitive=True` (Django's default) that is a
thread started and stopped for each request under Django's ASGI handler, or,
under the webhooks' lean handler (occ/lean_asgi.py), asgiref's one shared
thread, where every webhook of the worker would wait its turn.
`run_in_db_thread` uses the event loop's pool of threads instead, which are
reused and run side by side, and gives the thread's database connection back
(to the pool, or closes it when obsolete) after each call, as Django does
after a request.

When a synchronous caller is waiting on this event loop (Django's test
client, a management command calling `async_to_sync`), the work runs in that
caller's thread instead: its transaction is the one the work must see.
"""

from __future__ import annotations

from asgiref.sync import AsyncToSync, sync_to_async

from occ.lib.threads import with_connections_handed_back


def _sync_caller_waiting() -> bool:
    # Set by asgiref while a thread waits in async_to_sync for this context.
    return getattr(AsyncToSync.executors, "current", None) is not None


async def run_in_db_thread(work, /, *args, **kwargs):
    """`work(*args, **kwargs)` in a thread that may use the ORM; its result."""
    if _sync_caller_waiting():
        return await sync_to_async(work, thread_sensitive=True)(*args, **kwargs)
    return await sync_to_async(with_connections_handed_back(work), thread_sensitive=False)(
        *args, **kwargs
    )
