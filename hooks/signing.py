"""Signatures of outbound webhook requests, and how a receiver checks them.

Each request carries:

- `X-OCC-Event-Id`: the event's UUID, the same on every retry (de-duplicate on it);
- `X-OCC-Event`: the event type, e.g. `message.received`;
- `X-OCC-Timestamp`: Unix seconds when this attempt was signed;
- `X-OCC-Signature`: `v1=` + hex HMAC-SHA256, keyed with the endpoint's secret,
  of `<timestamp>.<raw body>`.

A receiver recomputes the HMAC over the raw bytes it received (before
parsing the JSON), compares in constant time and rejects timestamps older
than a few minutes, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-OCC-Signature"
TIMESTAMP_HEADER = "X-OCC-Timestamp"
EVENT_ID_HEADER = "X-OCC-Event-Id"
EVENT_TYPE_HEADER = "X-OCC-Event"
DEFAULT_TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `signature` signs `body` at `timestamp` and the timestamp is fresh."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - ts) > tolerance:
        return False
    expected = sign(secret, ts, body)
    return any(hmac.compare_digest(expected, part.strip()) for part in (signature or "").split(","))
