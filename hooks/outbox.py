"""Writes each core event to the outbox, inside the transaction that made the change.

The core announces its events through `interactions.signals` (`core_event`
for everything it pushes to desks, `interaction_opened` for a new
interaction). This module maps them to the public event types, writes one
Event row and one Delivery per subscribed endpoint, and asks the dispatcher
to deliver once the transaction commits. With no active endpoint it writes
nothing, so the receiving path pays one small query.
"""

from __future__ import annotations

import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from hooks.models import Delivery, Endpoint, Event, EventType


def connect() -> None:
    from interactions.signals import core_event, interaction_opened

    core_event.connect(on_core_event, dispatch_uid="hooks.outbox.core_event")
    interaction_opened.connect(on_interaction_opened, dispatch_uid="hooks.outbox.interaction_opened")


def on_interaction_opened(sender, interaction, message=None, **kwargs) -> None:
    from interactions.events import interaction_dict

    record(EventType.INTERACTION_CREATED, {"interaction": interaction_dict(interaction)})


def on_core_event(sender, event: dict, **kwargs) -> None:
    kind = event.get("type")
    if kind in ("interaction.assigned", "interaction.closed"):
        record(kind, {"interaction": event["interaction"]})
    elif kind == "message.created":
        message = event["message"]
        hook_type = EventType.MESSAGE_RECEIVED if message["direction"] == "in" else EventType.MESSAGE_SENT
        record(hook_type, lambda: _message_data(event))
    elif kind == "message.status":
        record(EventType.MESSAGE_STATUS_CHANGED, lambda: _message_data(event))


def _message_data(event: dict) -> dict:
    from interactions.events import interaction_dict
    from interactions.models import Interaction

    interaction = Interaction.objects.select_related("service", "contact").get(pk=event["interaction_id"])
    return {"interaction": interaction_dict(interaction), "message": event["message"]}


def record(event_type: str, data) -> Event | None:
    """Store the event and its deliveries in the current transaction; deliver after commit.

    `data` is a dict, or a callable returning one (built only when someone listens).
    """
    endpoints = [e for e in Endpoint.objects.filter(is_active=True) if e.wants(event_type)]
    if not endpoints:
        return None
    if callable(data):
        data = data()
    event_id = uuid.uuid4()
    now = timezone.now()
    envelope = {"id": str(event_id), "type": str(event_type), "created_at": now.isoformat(), "data": data}
    event = Event.objects.create(
        id=event_id, type=event_type, body=json.dumps(envelope, cls=DjangoJSONEncoder), created_at=now
    )
    Delivery.objects.bulk_create(
        [Delivery(event=event, endpoint=endpoint, next_attempt_at=now, created_at=now) for endpoint in endpoints]
    )
    transaction.on_commit(_wake_dispatcher)
    return event


def _wake_dispatcher() -> None:
    from hooks import dispatcher

    dispatcher.wake()
