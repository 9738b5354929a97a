"""A lean HTTP path for Twilio's webhooks.

Twilio's callbacks carry no cookie, no CSRF token and no language choice:
they are authenticated by their signature alone. Under ASGI each synchronous
middleware is a thread hop, and the default stack (sessions, locale, CSRF,
auth, messages, ...) costs about a millisecond of CPU per request, a quarter
of a webhook's whole cost. Requests under these prefixes are therefore served
by a second Django handler built without them (it keeps only the 503 of
occ.middleware for a database outage); everything else keeps the full stack.

Per request, Django's ASGI handler also starts a thread (its
ThreadSensitiveContext, so that middleware, a sync view and signal receivers
share one), hops to it twice for the request_started and request_finished
receivers (resetting queries, closing the thread's database connections), and
runs a second task listening for the client hanging up, to cancel the view.
The webhook views are async and run their database work in reused threads
that give their connection back themselves (occ.lib.db_threads), so none of this
applies; and a webhook must not be cancelled half-way when Twilio hangs up:
it is stored, pushed and answered whatever the caller does. This handler
therefore reads the body, runs the view and sends the response, nothing else.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.urls import set_script_prefix

WEBHOOK_PREFIXES = ("/whatsapp/twilio/",)


class LeanASGIHandler(ASGIHandler):
    """Django's ASGI handler with its own middleware list: only the database's 503."""

    middleware: list[str] = ["occ.middleware.DatabaseUnavailableMiddleware"]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            set_script_prefix(get_script_prefix(scope))
            request, error_response = self.create_request(scope, body_file)
            if request is None:
                await self.send_response(error_response, send)
                return
            response = await self.run_get_response(request)
            await self.send_response(response, send)
            request.close()  # files of a multipart body, if any
        finally:
            body_file.close()

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
