"""Session and token authentication; wrong tokens are counted so that guessing gets 429.

DRF's throttles run after authentication, so they never see a wrong token.
TokenAuthentication counts failures keyed so that nobody is refused for
someone else's failures (behind a proxy, or in one office, many clients
share one address):
- a wrong token whose first characters (its prefix) are those of an existing
  token counts for (that prefix, client address): someone guessing the rest of
  a known token's key. Past OCC_API_AUTH_FAILURES_LIMIT within
  OCC_API_AUTH_FAILURES_WINDOW_SECONDS that prefix is refused from that
  address, before its key is even compared;
- a wrong token of no existing prefix counts for the client address: past the
  limit its wrong tokens get 429 instead of 401, but a valid token (whose
  prefix exists, by definition) is still checked and accepted.
Guessing sessions is the log-in page's business (audit.lockout). The counts
live in Django's cache (shared by the workers with REDIS_URL).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.views.decorators.debug import sensitive_variables
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from occ.lib.proxies import client_ip

PREFIX_LENGTH = 8


def client_address(request) -> str:
    # The same address the audit log records (behind a trusted proxy, the one
    # the proxy appended: a client cannot choose it to dodge the limit).
    return client_ip(request) or "unknown"


def _prefix_key(request, prefix: str) -> str:
    return f"occ:api-auth-failures:prefix:{prefix}:{client_address(request)}"


def _address_key(request) -> str:
    return f"occ:api-auth-failures:address:{client_address(request)}"


def _count(key: str) -> int:
    window = settings.OCC_API_AUTH_FAILURES_WINDOW_SECONDS
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        return 1


def _blocked(key: str) -> bool:
    return cache.get(key, 0) >= settings.OCC_API_AUTH_FAILURES_LIMIT


def _throttled() -> exceptions.Throttled:
    return exceptions.Throttled(
        wait=settings.OCC_API_AUTH_FAILURES_WINDOW_SECONDS,
        detail="Too many failed authentication attempts from this address.",
    )


def presented_key(request) -> str | None:
    parts = authentication.get_authorization_header(request).split()
    if len(parts) != 2 or parts[0].lower() != b"token":
        return None
    try:
        return parts[1].decode()
    except UnicodeError:
        return None


def refuse_or_count(request, key: str) -> None:
    """After a wrong token: count it, or answer 429 when its address is past the limit."""
    prefix = key[:PREFIX_LENGTH]
    if prefix and Token.objects.filter(key__startswith=prefix).exists():
        # The next try of this prefix from this address is refused up front.
        _count(_prefix_key(request, prefix))
        return
    if _blocked(_address_key(request)):
        raise _throttled()
    _count(_address_key(request))


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
        key = presented_key(request)
        if key and _blocked(_prefix_key(request, key[:PREFIX_LENGTH])):
            raise _throttled()
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            if key is None:
                raise  # a malformed header: nothing was guessed
            refuse_or_count(request, key)
            raise

    @sensitive_variables("key")
    def authenticate_credentials(self, key):
        # The key a client sent stays out of error reports.
        user, token = super().authenticate_credentials(key)
        from api.tokens import record_use

        record_use(user.pk)  # "last used" in the console, at most once a minute
        return user, token
