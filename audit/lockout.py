"""Log-in lockouts: the settings django-axes reads, and how long a pair stays locked.

Axes counts failed log-ins per (username, client address) in its own tables
(AccessAttempt; every failure is also kept in AccessFailureLog). The limit and
the period are OCC's settings, read at each request so they can be changed
without touching axes' names.
"""

from __future__ import annotations

import math
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone


def failure_limit(request, credentials) -> int:
    return settings.OCC_LOGIN_MAX_FAILURES


def cool_off(request) -> timedelta:
    return timedelta(seconds=settings.OCC_LOGIN_LOCKOUT_SECONDS)


def username(request, credentials) -> str:
    """The name as counted: case and surrounding spaces do not make another account."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username", "") if request is not None else ""
    # NUL cannot be stored in PostgreSQL text; the log-in form refuses it anyway.
    return str(value).replace("\x00", "").strip().lower()[:150]


def seconds_locked(request, raw_username: str) -> int:
    """How long this username stays locked out from this request's address (0: not locked)."""
    credentials = {"username": raw_username}
    if AxesProxyHandler.is_allowed(request, credentials):
        return 0
    last = (
        AccessAttempt.objects.filter(
            username=username(request, credentials), ip_address=get_client_ip_address(request)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last is None:
        return settings.OCC_LOGIN_LOCKOUT_SECONDS
    until = last + cool_off(request)
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lockout check, for authenticate() calls that come with a request.

    A lockout is keyed by the request's client address; a call without a
    request (a management command, a script, Django's test client's login)
    has no client to lock out, so it is left to the next backend instead of
    raising as axes' own backend does.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
