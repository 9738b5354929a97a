"""Writes each webhook event to the outbox, inside the transaction that made the change.

A durable subscriber of the core's domain events (`interactions.events`):
`hooks.schema` maps each to its public webhook type and payload; this module
writes one Event row and one Delivery per subscribed endpoint in the
changing transaction (a rolled-back change sends nothing, a committed one
is never lost), and enqueues the task that delivers them
(hooks.tasks.deliver_event) in the same transaction.

The receiving path must stay lean, so which endpoints are active is kept in
memory: refreshed every OCC_WEBHOOK_ENDPOINTS_CACHE_SECONDS and at once in
the process that changes an endpoint. With none registered an event costs
no query. Another process notices a new endpoint within that many seconds;
deliveries are inserted with INSERT … SELECT over the endpoints that are
active at that moment, so a stale list never points at a removed endpoint.
"""

from __future__ import annotations

import json
import threading
import time
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from hooks.models import Delivery, DeliveryState, Endpoint, Event
from hooks.schema import SCHEMA_VERSION

_cache_lock = threading.Lock()
_cached: tuple[float, list[tuple[int, list[str]]]] | None = None


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from hooks.schema import MAPPING
    from interactions import events

    for event_type in MAPPING:
        events.subscribe(event_type, on_domain_event, durable=True)
    post_save.connect(forget_endpoints, sender=Endpoint, dispatch_uid="hooks.outbox.endpoint_saved")
    post_delete.connect(
        forget_endpoints, sender=Endpoint, dispatch_uid="hooks.outbox.endpoint_deleted"
    )


def forget_endpoints(*args, **kwargs) -> None:
    global _cached
    with _cache_lock:
        _cached = None


def active_endpoints() -> list[tuple[int, list[str]]]:
    """(id, event types) of the active endpoints, from memory when fresh enough.

    A stale list seen inside a transaction is used once more and refreshed
    after the commit, so the receiving path never adds a read while it
    holds its row locks.
    """
    now = time.monotonic()
    with _cache_lock:
        cached = _cached
    if cached is not None and now - cached[0] < settings.OCC_WEBHOOK_ENDPOINTS_CACHE_SECONDS:
        return cached[1]
    if cached is not None and connection.in_atomic_block:
        transaction.on_commit(_refresh)
        return cached[1]
    return _refresh()


def _refresh() -> list[tuple[int, list[str]]]:
    global _cached
    endpoints = [
        (pk, types or [])
        for pk, types in Endpoint.objects.filter(is_active=True).values_list("pk", "event_types")
    ]
    with _cache_lock:
        _cached = (time.monotonic(), endpoints)
    return endpoints


def on_domain_event(event) -> None:
    from hooks.schema import MAPPING

    hook_type, build = MAPPING[type(event)]
    record(hook_type, lambda: build(event))


def record(event_type: str, data) -> Event | None:
    """Store the event, its deliveries and the task that delivers them in the current transaction.

    `data` is a dict, or a callable returning one (built only when someone listens).
    """
    endpoint_ids = [pk for pk, types in active_endpoints() if not types or event_type in types]
    if not endpoint_ids:
        return None
    if callable(data):
        data = data()
    event_id = uuid.uuid4()
    now = timezone.now()
    envelope = {
        "id": str(event_id),
        "type": str(event_type),
        "version": SCHEMA_VERSION,
        "created_at": now.isoformat(),
        "data": data,
    }
    event = Event.objects.create(
        id=event_id,
        type=event_type,
        body=json.dumps(envelope, cls=DjangoJSONEncoder),
        created_at=now,
    )
    if not _insert_deliveries(event, endpoint_ids, now):
        # The list in memory was stale: those endpoints are gone or inactive.
        event.delete()
        return None
    _enqueue_delivery(event.id)
    return event


def _insert_deliveries(event: Event, endpoint_ids: list[int], now) -> int:
    """One Delivery per listed endpoint that is still active, in one statement."""
    delivery, endpoint = Delivery._meta, Endpoint._meta
    qn = connection.ops.quote_name
    columns = [
        "event_id",
        "endpoint_id",
        "state",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
    ]
    placeholders = ", ".join(["%s"] * len(endpoint_ids))
    sql = (
        f"INSERT INTO {qn(delivery.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"SELECT %s, {qn('id')}, %s, 0, '', %s, %s FROM {qn(endpoint.db_table)} "
        f"WHERE {qn('is_active')} = %s AND {qn('id')} IN ({placeholders})"
    )
    field = Delivery._meta.get_field("next_attempt_at")
    stamp = field.get_db_prep_value(now, connection)
    event_id = Delivery._meta.get_field("event").target_field.get_db_prep_value(
        event.id, connection
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event_id, DeliveryState.PENDING, stamp, stamp, True, *endpoint_ids])
        return cursor.rowcount


def _enqueue_delivery(event_id) -> None:
    from engine.actions import enqueue
    from hooks.tasks import deliver_event

    enqueue(deliver_event, str(event_id))
