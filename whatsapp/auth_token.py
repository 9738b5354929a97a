"""The decrypted Auth Token, kept briefly in memory for signature checks.

Reading the settings row and decrypting the token on every webhook costs a
query and a Fernet decryption per request. The token is kept for a few
seconds; saving the settings forgets it in this process, and a signature
that fails with the kept token is checked once more with a fresh one, so a
token changed in another worker never refuses a genuine webhook.
"""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save

TTL_SECONDS = 5.0

_lock = threading.Lock()
_cached: tuple[float, str] | None = None


def _load() -> str:
    from settings.models import ChatChannelSettings

    return ChatChannelSettings.load().get_auth_token()


def fresh() -> str:
    """Read the token from the database and keep it."""
    global _cached
    token = _load()
    with _lock:
        _cached = (time.monotonic() + TTL_SECONDS, token)
    return token


def current() -> str:
    """The kept token while it is recent, else a fresh one."""
    cached = _cached
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    return fresh()


def forget(**_kwargs) -> None:
    global _cached
    with _lock:
        _cached = None


post_save.connect(forget, sender="advanced_settings.ChatChannelSettings", dispatch_uid="whatsapp-auth-token-save")
post_delete.connect(forget, sender="advanced_settings.ChatChannelSettings", dispatch_uid="whatsapp-auth-token-delete")
