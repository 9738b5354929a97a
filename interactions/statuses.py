"""Outbound message statuses only move forward, whatever order callbacks arrive in."""

from __future__ import annotations

from interactions.models import MessageStatus as S

# Providers report statuses out of order (Twilio: "callbacks can arrive out
# of order"); a rank lets a late "sent" never overwrite "delivered".
RANK: dict[str, int] = {
    S.PENDING: 0,
    S.ACCEPTED: 1,
    S.SCHEDULED: 1,
    S.QUEUED: 2,
    S.SENDING: 3,
    S.SENT: 4,
    S.DELIVERED: 5,
    S.UNDELIVERED: 6,
    S.FAILED: 6,
    S.READ: 7,
}
TERMINAL: set[str] = {S.FAILED, S.UNDELIVERED, S.READ}


def should_advance(current: str, new: str) -> bool:
    """True when `new` is a later status than `current` and may replace it."""
    if new not in RANK or current in TERMINAL:
        return False
    return RANK[new] > RANK.get(current, -1)
