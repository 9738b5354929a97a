"""Twilio webhook signatures (X-Twilio-Signature), checked against the public URL."""

from __future__ import annotations

import functools
import logging

from django.http import HttpResponseForbidden
from twilio.request_validator import RequestValidator

from whatsapp.urls_public import public_base_url

logger = logging.getLogger(__name__)


def public_request_url(request) -> str:
    """The URL Twilio called: scheme, host, port, path and query.

    Behind a TLS-terminating proxy the application sees http://; the public
    base URL (or trusted X-Forwarded-* headers) restores what Twilio signed.
    """
    return public_base_url(request) + request.get_full_path()


def _auth_token() -> str:
    from settings.models import ChatChannelSettings

    return ChatChannelSettings.load().get_auth_token()


def is_valid_signature(request, auth_token: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    # Twilio signs every POST parameter; repeated names are signed in order.
    params = {key: request.POST.getlist(key) for key in request.POST}
    params = {key: values if len(values) > 1 else values[0] for key, values in params.items()}
    return RequestValidator(auth_token).validate(public_request_url(request), params, signature)


def twilio_signature_required(view):
    """403 and nothing stored unless the request carries Twilio's signature."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_valid_signature(request, _auth_token()):
            logger.warning("rejected unsigned or wrongly signed Twilio request to %s", request.path)
            return HttpResponseForbidden("Invalid Twilio signature")
        return view(request, *args, **kwargs)

    return wrapper
