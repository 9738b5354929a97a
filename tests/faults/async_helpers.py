"""Run an async test scenario on an event loop of its own, in a thread of its own.

The browser tests keep Playwright's event loop in the main thread for the
whole session; async_to_sync there refuses to run.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run_async(coroutine_function, *args):
    """Return a callable that runs `coroutine_function(*args)` to completion in a fresh thread."""

    def call(*call_args):
        with ThreadPoolExecutor(1) as executor:
            return executor.submit(asyncio.run, coroutine_function(*(args or call_args))).result()

    return call
