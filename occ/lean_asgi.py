"""A lean HTTP path for Twilio's webhooks.

Twilio's callbacks carry no cookie, no CSRF token and no language choice:
they are authenticated by their signature alone. Under ASGI each synchronous
middleware is a thread hop, and the default stack (sessions, locale, CSRF,
auth, messages, ...) costs about a millisecond of CPU per request, a quarter
of a webhook's whole cost. Requests under these prefixes are therefore served
by a second Django handler built without them (it keeps only the trusted
proxies' header check of occ.lib.proxies and the 503 of
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

import re

from django.conf import settings
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.urls import set_script_prefix

WEBHOOK_PREFIXES = ("/whatsapp/twilio/",)

# What uvicorn refuses in a header value (C0 but tab, DEL). Django refuses
# only CR/LF; uvicorn's check runs once the response has started, so it
# cannot answer 500 any more and closes the connection without an answer.
_NOT_IN_HEADER = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class LeanASGIHandler(ASGIHandler):
    """Django's ASGI handler with its own middleware list: trusted proxies and the database's 503."""

    # Trusted proxies first: the signature's URL may come from X-Forwarded-*.
    middleware: list[str] = [
        "occ.lib.proxies.TrustedProxyMiddleware",
        "occ.middleware.DatabaseUnavailableMiddleware",
    ]

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


def safe_headers(send):
    """`send`, with header values cleaned of what the server would refuse (occ.lib.text.safe_header_value).

    Views build their headers with safe_header_value; this is the net for
    one that does not: an answer with a cleaned value, never a connection
    dropped without one (docs/reliability.md promises Twilio 200 or 400).
    """

    async def send_safely(message):
        if message["type"] == "http.response.start":
            headers = message.get("headers", ())
            if any(_NOT_IN_HEADER.search(value) for _name, value in headers):
                message = {
                    **message,
                    "headers": [(name, _NOT_IN_HEADER.sub(b" ", value)) for name, value in headers],
                }
        await send(message)

    return send_safely


def split_by_path(lean_app, full_app, prefixes: tuple[str, ...]):
    """An ASGI app sending HTTP requests under `prefixes` to `lean_app`; every answer's headers safe."""

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return await full_app(scope, receive, send)
        if scope["path"].startswith(prefixes):
            return await lean_app(scope, receive, safe_headers(send))
        return await full_app(scope, receive, safe_headers(send))

    return app
