"""Session and token authentication that count failures per client address.

DRF's throttles run after authentication, so they never see a wrong token.
These classes check the client's recent failures first (answering 429 past
OCC_API_AUTH_FAILURES_LIMIT within OCC_API_AUTH_FAILURES_WINDOW_SECONDS)
and count each failure: a wrong or revoked token (guessing sessions is the
login page's business, throttled there). The counts live in Django's cache (per process unless a
shared cache is configured).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables
from rest_framework import authentication, exceptions

from audit.context import client_ip


def client_address(request) -> str:
    # The same address the audit log records (behind a trusted proxy, the one
    # the proxy appended: a client cannot choose it to dodge the limit).
    return client_ip(request) or "unknown"


def _key(request) -> str:
    return f"occ:api-auth-failures:{client_address(request)}"


def failures(request) -> int:
    return cache.get(_key(request), 0)


def record_failure(request) -> None:
    key = _key(request)
    window = settings.OCC_API_AUTH_FAILURES_WINDOW_SECONDS
    if not cache.add(key, 1, window):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, window)


def refuse_if_blocked(request) -> None:
    if failures(request) >= settings.OCC_API_AUTH_FAILURES_LIMIT:
        raise exceptions.Throttled(
            wait=settings.OCC_API_AUTH_FAILURES_WINDOW_SECONDS,
            detail="Too many failed authentication attempts from this address.",
        )


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, with Django's CSRF check on unsafe methods.

    A missing CSRF token is refused (403) but not counted: a hostile page
    could otherwise make a victim's browser lock the victim out.
    """


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>`, keys created and revoked in Settings → API tokens."""

    def authenticate(self, request):
        # First in DEFAULT_AUTHENTICATION_CLASSES: every API request passes here
        # (and its WWW-Authenticate header makes anonymous requests a 401).
        refuse_if_blocked(request)
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            record_failure(request)
            raise

    @sensitive_variables("key")
    def authenticate_credentials(self, key):
        # The key a client sent stays out of error reports.
        return super().authenticate_credentials(key)
