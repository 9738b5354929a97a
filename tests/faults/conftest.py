"""Fixtures for fault tests: dead ports, silent servers, a private Redis to kill and restart."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time

import pytest

from interactions import notify


@pytest.fixture(autouse=True)
def no_push_pause():
    """A fault test may pause pushes in this process; never let that leak into other tests."""
    notify._paused_until = 0.0
    yield
    notify._paused_until = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def refused_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    return free_port()


@pytest.fixture
def silent_port():
    """A loopback port that accepts connections and never answers (a frozen server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


class PrivateRedis:
    """A redis-server of this test alone, on its own port, that the test may kill and restart."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    redis = PrivateRedis()
    redis.start()
    yield redis
    redis.kill()


def pubsub_layer(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url]},
        }
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def attempt(run_tasks):
    """attempt(message) → the message after its next attempt (tests.faults.delivery.attempt)."""
    from tests.faults import delivery

    return lambda message, **options: delivery.attempt(message, run_tasks, **options)
