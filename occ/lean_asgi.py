"""A lean HTTP path for Twilio's webhooks.

Twilio's callbacks carry no cookie, no CSRF token and no language choice:
they are authenticated by their signature alone. Under ASGI each synchronous
middleware is a thread hop, and the default stack (sessions, locale, CSRF,
auth, messages, ...) costs about a millisecond of CPU per request, a quarter
of a webhook's whole cost. Requests under these prefixes are therefore served
by a second Django handler built with no middleware; everything else keeps
the full stack.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

WEBHOOK_PREFIXES = ("/whatsapp/twilio/",)


class LeanASGIHandler(ASGIHandler):
    """Django's ASGI handler with its own (empty) middleware list."""

    middleware: list[str] = []

    def load_middleware(self, is_async=False):
        # BaseHandler reads settings.MIDDLEWARE once, while the handler is
        # built at start-up; swap it for that moment only.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self.middleware
        try:
            super().load_middleware(is_async=is_async)
        finally:
            settings.MIDDLEWARE = full


def split_by_path(lean_app, full_app, prefixes: tuple[str, ...]):
    """An ASGI app sending HTTP requests under `prefixes` to `lean_app`."""

    async def app(scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(prefixes):
            return await lean_app(scope, receive, send)
        return await full_app(scope, receive, send)

    return app
