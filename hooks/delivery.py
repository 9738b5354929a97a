"""Delivering outbox events: claim due deliveries, POST signed JSON, record the outcome.

Claims are leases written with a conditional UPDATE, so any number of
workers (the `deliver_webhooks` command, each web process's dispatcher
thread) can run at once on PostgreSQL or SQLite without sending a delivery
twice. A worker that dies mid-attempt loses its lease and the delivery is
retried: delivery is at least once, and the event id in every request lets
receivers drop the rare repeat.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hooks import signing
from hooks.models import Attempt, Delivery, DeliveryState

logger = logging.getLogger(__name__)

USER_AGENT = "OCC-Webhooks/1"


def backoff_seconds(attempts: int) -> float:
    """Wait before the next try after `attempts` failed ones: base · 2^(n-1), capped."""
    base = settings.OCC_WEBHOOK_RETRY_BASE_SECONDS
    return min(settings.OCC_WEBHOOK_RETRY_MAX_SECONDS, base * (2 ** max(0, attempts - 1)))


def _lease() -> timedelta:
    return timedelta(seconds=settings.OCC_WEBHOOK_TIMEOUT_SECONDS * 2 + 30)


def _claimable(now: datetime) -> Q:
    # Only the row's own columns: PostgreSQL re-checks these on the latest
    # version of a row another worker just updated (a join or subquery would
    # be judged on the statement's old snapshot and let two workers claim it).
    return Q(state=DeliveryState.PENDING, next_attempt_at__lte=now) & (
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def claim_due(*, now: datetime | None = None, limit: int = 50, event_id=None) -> list[int]:
    """Ids of due deliveries this worker now owns (a lease each)."""
    now = now or timezone.now()
    due = Delivery.objects.filter(_claimable(now), endpoint__is_active=True)
    if event_id is not None:
        due = due.filter(event_id=event_id)
    candidates = list(due.order_by("next_attempt_at", "id").values_list("pk", flat=True)[:limit])
    claimed = []
    for pk in candidates:
        # Only one worker's UPDATE matches: the others see the new lease.
        if Delivery.objects.filter(_claimable(now), pk=pk).update(lease_until=now + _lease()):
            claimed.append(pk)
    return claimed


def post(url: str, secret: str, event_id: str, event_type: str, body: bytes) -> requests.Response:
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.EVENT_ID_HEADER: event_id,
        signing.EVENT_TYPE_HEADER: event_type,
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.sign(secret, timestamp, body),
    }
    # No redirects: a signed body is for the registered URL only.
    return requests.post(
        url, data=body, headers=headers, timeout=settings.OCC_WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False
    )


def attempt(delivery_id: int) -> Delivery:
    """POST one claimed delivery and record the outcome (delivered, retry later, or failed)."""
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    event, endpoint = delivery.event, delivery.endpoint
    started = time.monotonic()
    status_code, error, excerpt = None, "", ""
    try:
        response = post(endpoint.url, endpoint.get_secret(), str(event.id), event.type, event.body.encode())
        status_code = response.status_code
        excerpt = response.text[:500]
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    except Exception as exc:  # a bad URL or secret must not stop the worker
        logger.exception("webhook delivery %s failed unexpectedly", delivery_id)
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration_ms = int((time.monotonic() - started) * 1000)
    now = timezone.now()
    Attempt.objects.create(
        delivery=delivery, at=now, status_code=status_code, error=error, duration_ms=duration_ms,
        response_excerpt=excerpt,
    )
    attempts = delivery.attempts + 1
    update = {"attempts": attempts, "last_attempt_at": now, "last_status_code": status_code,
              "last_error": error, "lease_until": None}
    if not error:
        update.update(state=DeliveryState.DELIVERED, delivered_at=now)
    elif attempts >= settings.OCC_WEBHOOK_MAX_ATTEMPTS:
        update.update(state=DeliveryState.FAILED)
        logger.warning("webhook delivery %s to %s failed %s times; giving up", delivery_id, endpoint.url, attempts)
    else:
        update.update(next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)))
    Delivery.objects.filter(pk=delivery_id).update(**update)
    delivery.refresh_from_db()
    return delivery


def deliver_due(*, limit: int = 50, event_id=None) -> int:
    """Attempt every due delivery once; the number attempted."""
    done = 0
    while True:
        claimed = claim_due(limit=limit, event_id=event_id)
        for pk in claimed:
            attempt(pk)
        done += len(claimed)
        if len(claimed) < limit:
            return done


def next_due_in(*, now: datetime | None = None) -> float | None:
    """Seconds until the next pending delivery is due (None: nothing pending)."""
    now = now or timezone.now()
    first = (
        Delivery.objects.filter(state=DeliveryState.PENDING, endpoint__is_active=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return max(0.0, (first - now).total_seconds())


def redeliver(delivery: Delivery) -> None:
    """An administrator asks for another try now (also after the last retry failed)."""
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.PENDING, next_attempt_at=timezone.now(), lease_until=None
    )
