"""Start and stop OCC under uvicorn (several workers) for a measurement."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """uvicorn with uvloop and httptools on a loopback port, in the scale-out configuration."""

    def __init__(
        self,
        *,
        workers: int,
        env: dict[str, str],
        port: int | None = None,
        log_path: Path | None = None,
    ):
        self.workers = workers
        self.port = port or free_port()
        self.env = {**os.environ, **env, "OCC_PUBLIC_BASE_URL": self.base_url}
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/desk/"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "bench.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers),
            "--loop", "uvloop", "--http", "httptools",
            "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip

    def start(self, timeout: float = 60.0) -> Server:
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command(),
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"uvicorn exited with {self.process.returncode}; see {self.log_path}"
                )
            if len(self.worker_pids()) >= self.workers and self._answers():
                # Every worker imports lazily on its first requests: warm them all.
                for _ in range(20 * self.workers):
                    self._answers()
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("uvicorn did not answer in time")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.base_url + "/bench/lean/bare/", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        """The processes serving requests (the supervisor's children, or itself alone)."""
        if self.process is None:
            return []
        if self.workers == 1:
            return [self.process.pid]
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # Field 4 (after the parenthesised command) is the parent's pid.
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid:
                children.append(int(entry.name))
        # multiprocessing's resource tracker is a child too; workers listen.
        return sorted(pid for pid in children if _is_worker(pid))

    def rss_kib(self) -> int:
        """Resident memory of the serving processes, in KiB."""
        total = 0
        for pid in self.worker_pids():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            except OSError:
                pass
        return total

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _is_worker(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"resource_tracker" not in cmdline
