"""A task for tests of the workers themselves: it leaves one line per run in a file."""

from __future__ import annotations

import os
import time

from engine.compat import task


@task
def mark(path: str, n: int, seconds: float = 0.0) -> int:
    time.sleep(seconds)
    # O_APPEND: lines written by several processes never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{n} {os.getpid()}\n".encode())
    finally:
        os.close(fd)
    return n
