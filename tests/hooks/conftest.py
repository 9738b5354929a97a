"""A real HTTP receiver on loopback, and endpoints registered for it."""

from __future__ import annotations

import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hooks.actions import create_endpoint
from hooks.outbox import forget_endpoints


class Receiver:
    """Records every POST; answers from `statuses` (a list, consumed per request), else 200."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        self.fail_first_per_event = 0  # answer 500 to the first N attempts of each event id
        self.gate: threading.Event | None = None  # when set up, requests wait for it
        self.answered = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.receiver = self
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def status_for(self, event_id: str) -> int:
        with self._lock:
            seen = sum(1 for r in self.requests if r["headers"].get("X-OCC-Event-Id") == event_id)
            if seen < self.fail_first_per_event:
                return 500
            return self.statuses.pop(0) if self.statuses else 200

    def acknowledged(self) -> Counter:
        """Event id → how many times this receiver answered 2xx for it."""
        return Counter(
            r["headers"]["X-OCC-Event-Id"] for r in self.requests if 200 <= r["status"] < 300
        )

    def events(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if 200 <= r["status"] < 300]

    def stop(self):
        if self.gate is not None:
            self.gate.set()
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        receiver: Receiver = self.server.receiver
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if receiver.gate is not None:
            receiver.gate.wait(10)
        headers = {k: v for k, v in self.headers.items()}
        status = receiver.status_for(headers.get("X-OCC-Event-Id", ""))
        with receiver._lock:
            receiver.requests.append(
                {"headers": headers, "body": body, "status": status, "path": self.path}
            )
            receiver.answered += 1
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if status < 300 else b"receiver failed")

    def log_message(self, *args):
        pass


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 0  # retries are due at once; the test runs the worker
    settings.OCC_WEBHOOK_TIMEOUT_SECONDS = 5
    yield
    # The test database is rolled back without signals: drop the remembered endpoints.
    forget_endpoints()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def endpoint(db, receiver):
    endpoint, secret = create_endpoint(url=receiver.url, description="CRM")
    endpoint.plain_secret = secret
    return endpoint
