"""How many password-reset e-mails a client may ask for.

Counted per (client address, e-mail address) and per client address, in
Django's cache (like the widget's limit, widgets/limits.py): someone
elsewhere cannot use up another person's allowance, and one address cannot
flood many mailboxes. A refused request looks exactly like an accepted one.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600


def _count(key: str) -> int:
    if cache.add(key, 1, WINDOW_SECONDS + 5):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, WINDOW_SECONDS + 5)
        return 1


def take_password_reset(email: str, address: str, *, now: float | None = None) -> bool:
    """True when this reset e-mail may be sent."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    mailbox = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    per_pair = _count(f"occ:password-reset:{address}:{mailbox}:{window}")
    per_address = _count(f"occ:password-reset:{address}:{window}")
    return (
        per_pair <= settings.OCC_PASSWORD_RESETS_PER_HOUR
        and per_address <= settings.OCC_PASSWORD_RESETS_PER_ADDRESS_PER_HOUR
    )
