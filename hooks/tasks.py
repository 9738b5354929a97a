"""Webhook deliveries on the task engine: first attempts, retries with backoff, the sweep, the clean-up."""

from __future__ import annotations

from django.conf import settings

from engine import periodic
from engine.compat import task
from hooks import delivery


@task
def deliver_event(event_id: str) -> int:
    """The first attempt of each of the event's deliveries (enqueued with the event)."""
    return delivery.attempt_event(event_id)


@task
def deliver(delivery_id: int, number: int) -> bool:
    """Attempt `number` of one delivery (a retry, a sweep's or an administrator's new try)."""
    reopened = delivery.retry_after_giving_up(delivery_id, number)
    return delivery.attempt(delivery_id, reopened or number) is not None


@periodic.every(lambda: settings.OCC_WEBHOOK_SWEEP_GRACE_SECONDS, "hooks.sweep_deliveries")
def sweep_deliveries() -> int:
    return delivery.sweep()


@periodic.every(3600, "hooks.prune_outbox")
def prune_outbox() -> int:
    return delivery.prune()
