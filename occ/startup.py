"""What a server process does once it has started: the ASGI lifespan of each worker.

uvicorn (and any ASGI server with lifespan support) sends `lifespan.startup`
to every worker process once it has imported the application and before
it serves a request. Work that tunes a serving process belongs here, not
at import time: importing `occ.asgi` (pytest does, management commands
may) then changes nothing about the importing process.

Garbage collector tuning (OCC_GC_TUNING, on by default): full garbage
collections stall every request in flight, for as long as it takes to
scan every object: with 500 desk WebSockets per worker, 150-280 ms. What
is loaded by now (Django, the apps, the URLconf) lives as long as the
worker: frozen, it is left out of the scan (50-100 ms remain). And a full
collection runs after 100 young ones instead of 10: a request's own
cyclic garbage dies young, so little waits longer, and the latency at 200
messages/s went from p99 63 to 34 ms (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

FULL_COLLECTION_AFTER = 100  # young collections (Python's default: 10)


def tune_gc() -> None:
    gc.collect()
    gc.freeze()
    young, middle, _full = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)


def on_startup() -> None:
    if settings.OCC_GC_TUNING:
        tune_gc()


async def lifespan(scope, receive, send) -> None:
    """The ASGI lifespan protocol: start-up work once per worker, nothing at shutdown."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            try:
                on_startup()
            except Exception as exc:
                logger.exception("start-up failed")
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
