"""The task the task-engine benchmark enqueues: it returns how long it waited to start."""

from __future__ import annotations

import time

from engine.compat import task


@task
def started_after(enqueued_at: float) -> float:
    """Seconds from the enqueue (wall clock, same machine) to this task starting."""
    return time.time() - enqueued_at
