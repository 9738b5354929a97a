"""Where the workers' time goes: py-spy over every worker, summarised as text."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def start(server, seconds: float, output: Path):
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    output.parent.mkdir(parents=True, exist_ok=True)
    command = [
        spy, "record", "--pid", str(server.process.pid), "--subprocesses", "--format", "raw",
        "--gil", "--rate", "100", "--duration", str(int(seconds)), "--nonblocking", "--output", str(output),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), output


def finish(spy) -> dict:
    process, output = spy
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return {"error": "py-spy did not finish"}
    if not output.exists():
        return {"error": "py-spy wrote nothing (is ptrace allowed?)"}
    return summarise(output)


# Where a sample is, judged from its whole stack (first match wins).
CATEGORIES = [
    ("SQL round trips (waiting in psycopg)", ("Cursor.execute (psycopg",)),
    ("ORM: building queries and rows", ("django/db/models/",)),
    ("pushes (channel layer)", ("notify.py", "channels_redis", "redis/")),
    ("signature check", ("request_validator.py",)),
    ("parsing the form", ("parsing.py", "django/http/request.py", "multipartparser.py")),
    ("desk WebSockets", ("consumers.py", "channels/generic", "websockets")),
    ("rest of the webhook code", ("whatsapp/", "interactions/")),
    ("Django request/response handling", ("django/",)),
    ("thread hops (asgiref)", ("asgiref/",)),
    ("uvicorn and the event loop", ("uvicorn/", "asyncio/", "uvloop")),
]
# Frames that mean the thread is waiting for work, not working.
IDLE_MARKS = (
    "_worker (concurrent/futures/thread.py",
    "Condition.wait",
    "_wait_for_tstate_lock",
    "Event.wait",
    "select (",
)
PROJECT = ("(interactions/", "(whatsapp/", "(agents/", "(occ/", "(settings/", "(services/")


def summarise(path: Path, top: int = 12) -> dict:
    categories: Counter = Counter()
    project: Counter = Counter()
    total = idle = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [
            f for f in stack.split(";") if not f.startswith("process ") and "spawn_main" not in f
        ]
        leaf = frames[-1] if frames else ""
        if any(mark in leaf for mark in IDLE_MARKS):
            idle += n
            continue
        category = next(
            (name for name, marks in CATEGORIES if any(m in f for f in frames for m in marks)),
            "other",
        )
        categories[category] += n
        inner = [f for f in frames if any(p in f for p in PROJECT)]
        if inner:
            project[inner[-1]] += n
    busy = max(1, total - idle)
    return {
        "samples": total,
        "idle_share": round(idle / max(1, total), 3),
        "share_of_busy": {k: round(v / busy, 3) for k, v in categories.most_common()},
        "innermost_project_frames": [
            (name, round(n / busy, 3)) for name, n in project.most_common(top)
        ],
        "raw": str(path),
    }
