"""The public URLs Twilio calls, as this installation expects them."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from occ.lib.proxies import from_trusted_proxy

DEFAULT_PORTS = {"http": "80", "https": "443"}


def _first(value: str) -> str:
    # Proxies chain values ("https, http"): the first is the client-facing one.
    return value.split(",")[0].strip()


def public_base_url(request=None) -> str:
    """Scheme, host and port Twilio (or a browser) uses to reach this installation.

    In order: OCC_PUBLIC_BASE_URL; X-Forwarded-Proto/Host/Port, only from a
    peer in OCC_TRUSTED_PROXIES (otherwise anyone could choose the URL a
    forged signature is checked against); the request's scheme and Host.
    """
    if settings.OCC_PUBLIC_BASE_URL:
        return settings.OCC_PUBLIC_BASE_URL.rstrip("/")
    if request is None:
        return "http://127.0.0.1:8000"
    meta = request.META
    if from_trusted_proxy(request) and (
        meta.get("HTTP_X_FORWARDED_PROTO") or meta.get("HTTP_X_FORWARDED_HOST")
    ):
        scheme = _first(meta.get("HTTP_X_FORWARDED_PROTO", "")).lower() or request.scheme
        host = _first(meta.get("HTTP_X_FORWARDED_HOST", "")) or request.get_host()
        port = _first(meta.get("HTTP_X_FORWARDED_PORT", ""))
        has_port = host.rsplit(":", 1)[-1].isdigit() and not host.endswith("]")
        if port.isdigit() and not has_port and port != DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
        return f"{scheme}://{host}"
    return f"{request.scheme}://{request.get_host()}"


def inbound_webhook_url(request=None) -> str:
    return public_base_url(request) + reverse("whatsapp:inbound")


def status_webhook_url(request=None) -> str:
    return public_base_url(request) + reverse("whatsapp:status")


def status_callback_url(message_id: int, request=None) -> str:
    # Our own id rides along: a callback can arrive before Twilio's answer
    # to the create call has been stored, and must still find its message.
    return f"{status_webhook_url(request)}?m={message_id}"
