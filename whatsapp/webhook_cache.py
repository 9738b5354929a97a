"""The account settings and services, kept a few seconds for Twilio's webhooks.

Every webhook needs the account row (Auth Token, WhatsApp switch) and the
service answering on the called number: two queries of the nine or so a
message costs, and a Fernet decryption. They are kept in memory for
TTL_SECONDS. Saving or deleting either model forgets them in this process at
once; other workers see the change within TTL_SECONDS. A signature that fails
with the kept token is checked once more with a fresh one (see
whatsapp.signature), so a token just changed in another worker never
refuses a genuine webhook. A number with no service is never kept, so a
service just created answers at once everywhere.
"""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 5.0

_lock = threading.Lock()
_account: tuple[float, object, str] | None = None
_services: dict[str, tuple[float, object]] = {}


def account(*, fresh: bool = False):
    """The ChatChannelSettings row (with its token decrypted once, see auth_token())."""
    return account_entry(fresh=fresh)[1]


def auth_token(*, fresh: bool = False) -> str:
    return account_entry(fresh=fresh)[2]


def kept_account_entry():
    """(expiry, account, token) while still fresh, without a query; else None."""
    entry = _account
    return entry if entry is not None and entry[0] > time.monotonic() else None


def account_entry(*, fresh: bool = False):
    """(expiry, account, token), read again from the database when stale or `fresh`."""
    global _account
    entry = None if fresh else kept_account_entry()
    if entry is None:
        from settings.models import ChatChannelSettings

        row = ChatChannelSettings.load()
        entry = (time.monotonic() + TTL_SECONDS, row, row.get_auth_token())
        with _lock:
            _account = entry
    return entry


def _key(number: str, messaging_service_sid: str) -> str:
    return f"{messaging_service_sid}|{number}"


def kept_service(number: str, messaging_service_sid: str = ""):
    """The service kept for this number (and Messaging Service) while still fresh, without a query; else None."""
    entry = _services.get(_key(number, messaging_service_sid))
    return entry[1] if entry is not None and entry[0] > time.monotonic() else None


def service(number: str, messaging_service_sid: str = ""):
    """The service a webhook reaches: the one with its Messaging Service, else the one with its number.

    One query either way: both are asked for at once, and the Messaging
    Service's service wins (a Messaging Service's senders may include a
    number another service still lists as its own).
    """
    kept = kept_service(number, messaging_service_sid)
    if kept is not None:
        return kept
    from django.db.models import Q

    from services.models import Service

    if messaging_service_sid:
        found = None
        for candidate in Service.objects.filter(
            Q(messaging_service_sid=messaging_service_sid) | Q(twilio_number=number)
        )[:2]:
            if candidate.messaging_service_sid == messaging_service_sid or found is None:
                found = candidate
    else:
        found = Service.objects.filter(twilio_number=number).first()
    if found is not None:
        with _lock:
            _services[_key(number, messaging_service_sid)] = (time.monotonic() + TTL_SECONDS, found)
    return found


def forget(**_kwargs) -> None:
    global _account
    with _lock:
        _account = None
        _services.clear()


for _model in ("advanced_settings.ChatChannelSettings", "services.Service"):
    post_save.connect(forget, sender=_model, dispatch_uid=f"webhook-cache-save-{_model}")
    post_delete.connect(forget, sender=_model, dispatch_uid=f"webhook-cache-delete-{_model}")
