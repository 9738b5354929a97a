"""The public URLs Twilio calls, as this installation expects them."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def public_base_url(request=None) -> str:
    """OCC_PUBLIC_BASE_URL, or the request's own scheme and host."""
    if settings.OCC_PUBLIC_BASE_URL:
        return settings.OCC_PUBLIC_BASE_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return "http://127.0.0.1:8000"


def inbound_webhook_url(request=None) -> str:
    return public_base_url(request) + reverse("whatsapp:inbound")


def status_webhook_url(request=None) -> str:
    return public_base_url(request) + reverse("whatsapp:status")


def status_callback_url(message_id: int, request=None) -> str:
    # Our own id rides along: a callback can arrive before Twilio's answer
    # to the create call has been stored, and must still find its message.
    return f"{status_webhook_url(request)}?m={message_id}"
