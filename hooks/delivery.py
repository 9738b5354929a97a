"""Delivering outbox events: claim an attempt, POST signed JSON, record the outcome.

Each attempt is a task on the engine (hooks.tasks): the first attempts of
an event run as soon as a worker is free after the commit, each retry is
enqueued with `run_after` at its backoff. The engine runs a task on one
worker at a time, but the same attempt can be asked for twice (the sweep
of overdue deliveries, a task run again after its worker was lost, an
administrator's retry), so an attempt is still claimed on the delivery row
before the request is sent: attempt number n may run only while the row
has n - 1 attempts and no live claim. A worker that dies mid-attempt leaves
the claim to expire and the attempt is made again: delivery is at least
once, and the event id in every request lets receivers drop the rare repeat.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hooks import signing
from hooks.models import Attempt, Delivery, DeliveryState

logger = logging.getLogger(__name__)

USER_AGENT = "OCC-Webhooks/1"


class GaveUp(Exception):
    """The last allowed attempt failed: the task fails, so the console shows it."""


def backoff_seconds(attempts: int) -> float:
    """Wait before the next try after `attempts` failed ones: base · 2^(n-1), capped."""
    base = settings.OCC_WEBHOOK_RETRY_BASE_SECONDS
    return min(settings.OCC_WEBHOOK_RETRY_MAX_SECONDS, base * (2 ** max(0, attempts - 1)))


def _lease() -> timedelta:
    # Longer than one attempt can take (the request's timeout, and margin).
    return timedelta(seconds=settings.OCC_WEBHOOK_TIMEOUT_SECONDS * 2 + 30)


def _free(now: datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def claim(delivery_id: int, number: int, *, now: datetime | None = None) -> bool:
    """This worker now owns attempt `number` of the delivery (claim-before-send)."""
    now = now or timezone.now()
    # Only the row's own columns: PostgreSQL re-checks these on the latest
    # version of a row another worker just updated (a join or subquery would
    # be judged on the statement's old snapshot and let two workers claim it).
    return bool(
        Delivery.objects.filter(
            _free(now), pk=delivery_id, state=DeliveryState.PENDING, attempts=number - 1
        ).update(lease_until=now + _lease())
    )


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
        url,
        data=body,
        headers=headers,
        timeout=settings.OCC_WEBHOOK_TIMEOUT_SECONDS,
        allow_redirects=False,
    )


def attempt(delivery_id: int, number: int) -> Delivery | None:
    """Make attempt `number` of a delivery and record the outcome; None when it is not this task's to make.

    Raises GaveUp when it was the last allowed attempt and it failed.
    """
    delivery = Delivery.objects.select_related("event", "endpoint").filter(pk=delivery_id).first()
    if delivery is None or not delivery.endpoint.is_active:
        # An inactive endpoint keeps its deliveries; the sweep sends them once it is active again.
        return None
    if not claim(delivery_id, number):
        return None
    event, endpoint = delivery.event, delivery.endpoint
    started = time.monotonic()
    status_code, error, excerpt = None, "", ""
    try:
        response = post(
            endpoint.url, endpoint.get_secret(), str(event.id), event.type, event.body.encode()
        )
        status_code = response.status_code
        excerpt = response.text[:500]
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    except Exception as exc:  # a bad URL or secret is this delivery's failure, not the worker's
        logger.exception("webhook delivery %s failed unexpectedly", delivery_id)
        error = f"{type(exc).__name__}: {exc}"[:500]
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(
        delivery,
        number,
        status_code=status_code,
        error=error,
        excerpt=excerpt,
        duration_ms=duration_ms,
    )


def _record(
    delivery: Delivery, number: int, *, status_code, error: str, excerpt: str, duration_ms: int
) -> Delivery:
    from engine.actions import enqueue
    from hooks import tasks

    now = timezone.now()
    update = {
        "attempts": number,
        "last_attempt_at": now,
        "last_status_code": status_code,
        "last_error": error,
        "lease_until": None,
    }
    gave_up = False
    if not error:
        update.update(state=DeliveryState.DELIVERED, delivered_at=now)
    elif number >= settings.OCC_WEBHOOK_MAX_ATTEMPTS:
        update.update(state=DeliveryState.FAILED)
        gave_up = True
    else:
        update.update(next_attempt_at=now + timedelta(seconds=backoff_seconds(number)))
    # One transaction: the outcome, its log line and the next attempt's task
    # (on the database backend) are stored together or not at all.
    with transaction.atomic():
        Attempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=status_code,
            error=error,
            duration_ms=duration_ms,
            response_excerpt=excerpt,
        )
        Delivery.objects.filter(pk=delivery.pk).update(**update)
        if "next_attempt_at" in update:
            enqueue(tasks.deliver, delivery.pk, number + 1, run_after=update["next_attempt_at"])
    delivery.refresh_from_db()
    if gave_up:
        logger.warning(
            "webhook delivery %s to %s failed %s times; giving up",
            delivery.pk,
            delivery.endpoint.url,
            number,
        )
        raise GaveUp(f"{delivery.endpoint.url}: {error} after {number} attempts")
    return delivery


def attempt_event(event_id) -> int:
    """The first attempt of each of an event's deliveries; the number made."""
    made = 0
    pending = Delivery.objects.filter(event_id=event_id, state=DeliveryState.PENDING, attempts=0)
    for pk in pending.order_by("id").values_list("pk", flat=True):
        try:
            if attempt(pk, 1) is not None:
                made += 1
        except GaveUp:
            made += 1  # OCC_WEBHOOK_MAX_ATTEMPTS = 1: failed, shown in the delivery log
    return made


def retry_after_giving_up(delivery_id: int, number: int) -> int | None:
    """A task that gave up is run again (the console's retry): one more attempt, its number.

    Only that task's own failure is taken back: the row must still be
    failed with exactly `number` attempts (another retry or "Send again"
    has not happened meanwhile).
    """
    reopened = Delivery.objects.filter(
        pk=delivery_id, state=DeliveryState.FAILED, attempts=number
    ).update(state=DeliveryState.PENDING, next_attempt_at=timezone.now(), lease_until=None)
    return number + 1 if reopened else None


def redeliver(delivery: Delivery) -> None:
    """An administrator asks for another try now (also after the last retry failed)."""
    from engine.actions import enqueue
    from hooks import tasks

    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING, next_attempt_at=timezone.now(), lease_until=None
        )
        attempts = Delivery.objects.values_list("attempts", flat=True).get(pk=delivery.pk)
        enqueue(tasks.deliver, delivery.pk, attempts + 1)


def sweep(*, now: datetime | None = None) -> int:
    """Deliveries whose task was lost (engine down at enqueue, a crash past its claim): ask again.

    Overdue by OCC_WEBHOOK_SWEEP_GRACE_SECONDS, unclaimed or with an expired
    claim, to an active endpoint. Moving `next_attempt_at` to now keeps the
    next sweep from asking again while the new task waits in the queue.
    """
    from engine.actions import enqueue
    from hooks import tasks

    now = now or timezone.now()
    overdue = Delivery.objects.filter(
        _free(now),
        state=DeliveryState.PENDING,
        endpoint__is_active=True,
        next_attempt_at__lt=now - timedelta(seconds=settings.OCC_WEBHOOK_SWEEP_GRACE_SECONDS),
    )
    asked = 0
    for pk, attempts, due in overdue.values_list("pk", "attempts", "next_attempt_at")[:500]:
        with transaction.atomic():
            if Delivery.objects.filter(pk=pk, attempts=attempts, next_attempt_at=due).update(
                next_attempt_at=now
            ):
                enqueue(tasks.deliver, pk, attempts + 1)
                asked += 1
    return asked


def prune(*, now: datetime | None = None) -> int:
    """Delete events older than OCC_WEBHOOK_KEEP_DAYS whose deliveries are all finished; the number deleted.

    The outbox would otherwise only grow. A pending delivery keeps its event.
    """
    from hooks.models import Event

    now = now or timezone.now()
    old = Event.objects.filter(created_at__lt=now - timedelta(days=settings.OCC_WEBHOOK_KEEP_DAYS))
    finished = old.exclude(deliveries__state=DeliveryState.PENDING)
    ids = list(finished.values_list("pk", flat=True)[:1000])
    if not ids:
        return 0
    Event.objects.filter(pk__in=ids).delete()
    return len(ids)
