"""The rate limit of the widget's public `visits` endpoint, per (client address, widget).

Anyone can post visits (no login, any website), and each one is a row: a
fixed one-minute window per address and widget bounds the rows a flood can
make. The counter lives in Django's cache: shared by every worker when
REDIS_URL is set (RedisCache), per process otherwise, which then allows up
to workers × OCC_WIDGET_VISITS_PER_MINUTE. That is enough to bound a flood,
and a counter in the database would cost the write it is there to prevent.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


def take_visit(widget_key: str, address: str, *, now: float | None = None) -> int:
    """0 when this visit may be recorded, else the seconds until the window ends (for Retry-After)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    key = f"occ:widget-visits:{widget_key}:{address}:{window}"
    if cache.add(key, 1, WINDOW_SECONDS + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, WINDOW_SECONDS + 5)
            count = 1
    if count <= settings.OCC_WIDGET_VISITS_PER_MINUTE:
        return 0
    return max(1, (window + 1) * WINDOW_SECONDS - int(now))
