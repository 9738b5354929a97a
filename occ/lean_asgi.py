"""A lean HTTP path for Twilio's webhooks.

Twilio's callbacks carry no cookie, no CSRF token and no language choice:
they are authenticated by their signature alone. Under ASGI each synchronous
middleware is a thread hop, and the default stack (sessions, locale, CSRF,
auth, messages, ...) costs about a millisecond of CPU per request, a quarter
of a webhook's whole cost. Requests under these prefixes are therefore served
by a second Django handler built with no middleware; everything else keeps
the full stack.

Django's handler also opens a ThreadSensitiveContext per request, so that
the request's synchronous code (middleware, a sync view, signal receivers)
shares one thread: a thread started and stopped for every request. The
webhook views are async and run their database work in reused threads
(occ.db_threads), so this handler does without it; what synchronous code
remains (the request_started/finished receivers that reset queries and
close old connections) runs on asgiref's one shared thread.
"""

from __future__ import annotations

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler

WEBHOOK_PREFIXES = ("/whatsapp/twilio/",)


class LeanASGIHandler(ASGIHandler):
    """Django's ASGI handler with its own (empty) middleware list."""

    middleware: list[str] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

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
