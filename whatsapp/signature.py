"""Twilio webhook signatures (X-Twilio-Signature), checked against the public URL.

Twilio signs the exact URL it called (scheme, host, port, path, query).
Behind a TLS-terminating proxy the application sees http:// on an internal
port, so the URL is rebuilt from, in order:
1. OCC_PUBLIC_BASE_URL (scheme, host and port of the public address), or
2. X-Forwarded-Proto / X-Forwarded-Host / X-Forwarded-Port, only from a
   peer in OCC_TRUSTED_PROXIES (otherwise anyone could choose the URL
   their forged signature is checked against), or
3. the request's own scheme and Host header.
twilio-python's validator accepts the URL with and without the port, as
Twilio keeps it for messaging webhooks but not for every product.
"""

from __future__ import annotations

import functools
import logging

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponseForbidden
from twilio.request_validator import RequestValidator, compare

from occ.lib.db_threads import run_in_db_thread
from whatsapp import webhook_cache
from whatsapp.urls_public import public_base_url

logger = logging.getLogger(__name__)


def public_request_url(request) -> str:
    """The full URL Twilio called, query string included."""
    return public_base_url(request) + request.get_full_path()


def is_valid_signature(request, auth_token: str) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature or not auth_token:
        return False
    # Twilio signs every POST parameter, each value of a repeated name too:
    # the validator reads them with QueryDict.getlist.
    validator = RequestValidator(auth_token)
    url = public_request_url(request)
    # The validator always computes two signatures (the URL with and without
    # its port); the URL as called is the usual match, so it is tried alone
    # first. An HMAC of the exact URL with our token is Twilio's either way.
    if compare(validator.compute_signature(url, request.POST), signature):
        return True
    return validator.validate(url, request.POST, signature)


def twilio_signature_required(view):
    """403 and nothing stored unless the request carries Twilio's signature.

    For async views. The account (Auth Token, WhatsApp switch) is kept a few
    seconds (whatsapp.webhook_cache), so a webhook usually checks its
    signature without a query; a failure with the kept token is checked again
    with a fresh one: it may have just changed in another worker. A database
    or key failure propagates: it is the server's fault, and an error answer
    (503 for the database, occ.middleware) makes Twilio try again or use the
    fallback URL, where a 403 would lose the message.
    """

    @functools.wraps(view)
    async def wrapper(request, *args, **kwargs):
        entry = webhook_cache.kept_account_entry() or await run_in_db_thread(
            webhook_cache.account_entry
        )
        _expiry, request.twilio_account, auth_token = entry
        valid = _checked(request, auth_token)
        if not valid:
            _expiry, request.twilio_account, fresh_token = await run_in_db_thread(
                webhook_cache.account_entry, fresh=True
            )
            valid = fresh_token != auth_token and _checked(request, fresh_token)
        if not valid:
            logger.warning(
                "rejected unsigned or wrongly signed Twilio request to %s (checked against %s)",
                request.path,
                _safe_url(request),
            )
            return HttpResponseForbidden("Invalid Twilio signature")
        return await view(request, *args, **kwargs)

    return wrapper


def _checked(request, auth_token: str) -> bool:
    try:
        return is_valid_signature(request, auth_token)
    except SuspiciousOperation:
        raise  # a body too big or with too many fields: Django answers 400
    except Exception:  # a request the validator cannot read is a refusal, never a 500
        logger.warning("Twilio signature could not be checked for %s", request.path, exc_info=True)
        return False


def _safe_url(request) -> str:
    try:
        return public_request_url(request)
    except Exception:
        return request.path
