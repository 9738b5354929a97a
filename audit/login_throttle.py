"""Login throttling: too many failed log-ins lock the username from that address for a while.

Failures are rows in the database, so every server process sees the same
count (a per-process cache would let an attacker spread guesses over
workers). Two limits: per username and address (someone guessing one
account's password) and per address (someone trying many usernames).
A successful log-in clears that username's failures from that address.
"""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from audit.models import FailedLogin


def _normal(username: str) -> str:
    # NUL cannot be stored in PostgreSQL text; the login form refuses it anyway.
    return (username or "").replace("\x00", "").strip().lower()[:150]


def _window_start(now):
    return now - timedelta(seconds=settings.OCC_LOGIN_LOCKOUT_SECONDS)


def seconds_locked(username: str, ip: str | None, *, now=None) -> int:
    """How long this username is still locked out from this address (0: not locked)."""
    now = now or timezone.now()
    recent = FailedLogin.objects.filter(at__gte=_window_start(now))
    by_user = recent.filter(username=_normal(username), ip=ip).order_by("-at").values_list("at", flat=True)
    by_ip = recent.filter(ip=ip).order_by("-at").values_list("at", flat=True)
    waits = []
    for rows, limit in ((by_user, settings.OCC_LOGIN_MAX_FAILURES), (by_ip, settings.OCC_LOGIN_MAX_FAILURES_PER_IP)):
        times = list(rows[:limit])
        if len(times) >= limit:
            # Locked until the oldest of the last `limit` failures leaves the window.
            until = times[-1] + timedelta(seconds=settings.OCC_LOGIN_LOCKOUT_SECONDS)
            waits.append(max(0, math.ceil((until - now).total_seconds())))
    return max(waits, default=0)


def record_failure(username: str, ip: str | None, *, now=None) -> None:
    now = now or timezone.now()
    FailedLogin.objects.create(username=_normal(username), ip=ip, at=now)
    # Old rows are of no use: keep the table small.
    FailedLogin.objects.filter(at__lt=now - timedelta(days=1)).delete()


def clear_failures(username: str, ip: str | None) -> None:
    FailedLogin.objects.filter(username=_normal(username), ip=ip).delete()
