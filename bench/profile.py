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
        "--rate", "100", "--duration", str(int(seconds)), "--nonblocking", "--output", str(output),
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


# Buckets by the outermost recognisable frame, in order of precedence.
BUCKETS = [
    ("signature check", ("signature.py", "request_validator.py")),
    ("channel layer push (group_send)", ("notify.py:send_now", "channels_redis")),
    ("routing and queue (_drain)", ("actions.py:_drain",)),
    ("receive_inbound (store)", ("actions.py:receive_inbound", "actions.py:_receive_inbound")),
    ("parsing the form", ("parsing.py", "multipartparser", "http/request.py")),
    ("desk WebSockets", ("consumers.py", "websockets", "channels/generic")),
    ("Django request handling", ("django/core/handlers",)),
    ("uvicorn/httptools", ("uvicorn",)),
]


def summarise(path: Path, top: int = 15) -> dict:
    self_time: Counter = Counter()
    buckets: Counter = Counter()
    total = 0
    idle = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        leaf = frames[-1]
        if any(word in leaf for word in ("select (", "epoll", "_run_once", "wait (threading", "_worker (concurrent", "poll (")):
            idle += n
        self_time[_short(leaf)] += n
        bucket = next((name for name, marks in BUCKETS if any(m in f for f in frames for m in marks)), "other")
        buckets[bucket] += n
    busy = max(1, total - idle)
    return {
        "samples": total,
        "idle_share": round(idle / max(1, total), 3),
        "buckets_share_of_busy": {k: round(v / busy, 3) for k, v in buckets.most_common()},
        "top_self": [(name, round(n / max(1, total), 3)) for name, n in self_time.most_common(top)],
        "raw": str(path),
    }


def _short(frame: str) -> str:
    # py-spy's raw frames look like "function (path/to/file.py:123)".
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    file, _, _line = where.rpartition(":")
    return f"{name} ({'/'.join(file.split('/')[-2:])})"
