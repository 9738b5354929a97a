"""Answer 503 when the database is unavailable, never a page error or a false 200.

Twilio treats any non-2xx answer as a failed delivery (its fallback URL and
retry rules apply), so a webhook that could not be stored must not look
accepted; a 503 with Retry-After says "try again" to any client.
"""

from __future__ import annotations

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    # Sync and async: on the webhooks' async lean path (occ/lean_asgi.py) a
    # sync-only middleware would cost a thread hop per request.
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        return self.get_response(request)

    async def _acall(self, request):
        return await self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        logger.error(
            "database unavailable while handling %s %s: %s",
            request.method,
            request.path,
            type(exception).__name__,
        )
        response = HttpResponse(
            "Service temporarily unavailable: please try again shortly.",
            status=503,
            content_type="text/plain",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
