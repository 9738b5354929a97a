"""The user acting in the current request, for the audit log.

A middleware puts the request in a context variable; receivers read its
user when a change is saved (after authentication, also by token in the API,
which sets the user on the same request).
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Any

_request: contextvars.ContextVar[object | None] = contextvars.ContextVar(
    "audit_request", default=None
)
_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


@dataclass(frozen=True)
class Actor:
    user: Any  # a User, AnonymousUser or None
    ip: str | None


def client_ip(request) -> str | None:
    """The client's address; behind a trusted proxy, the one it forwarded (occ.lib.proxies)."""
    from occ.lib.proxies import client_ip as proxied_client_ip

    return proxied_client_ip(request)


def current_actor() -> Actor:
    explicit = _actor.get()
    if explicit is not None:
        return explicit
    request = _request.get()
    if request is None:
        return Actor(None, None)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        user = None
    return Actor(user, client_ip(request))


@contextlib.contextmanager
def acting_as(user, ip: str | None = None):
    """Attribute changes made outside a request (commands, jobs) to `user`."""
    token = _actor.set(Actor(user, ip))
    try:
        yield
    finally:
        _actor.reset(token)


class AuditActorMiddleware:
    """Remembers the request so model signals know who made a change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)
