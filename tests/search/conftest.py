"""Conversations to find: contacts, closed and open interactions, their messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from interactions.models import (
    Contact,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageStatus,
)


@pytest.fixture
def conversation_factory(service):
    """conversation(contact_name, address, *bodies, agent=None, state=closed, at=...) → Interaction"""

    def make(
        name,
        address,
        *bodies,
        agent=None,
        state=InteractionState.CLOSED,
        at=None,
        svc=None,
        contact=None,
    ):
        at = at or timezone.now() - timedelta(hours=2)
        contact = (
            contact or Contact.objects.get_or_create(address=address, defaults={"name": name})[0]
        )
        interaction = Interaction.objects.create(
            service=svc or service,
            contact=contact,
            state=state,
            agent=agent,
            created_at=at,
            queued_at=at,
            assigned_at=at if agent else None,
            closed_at=at + timedelta(minutes=30) if state == InteractionState.CLOSED else None,
            last_inbound_at=at,
        )
        for i, body in enumerate(bodies):
            Message.objects.create(
                interaction=interaction,
                direction=Direction.INBOUND if i % 2 == 0 else Direction.OUTBOUND,
                body=body,
                status=MessageStatus.RECEIVED if i % 2 == 0 else MessageStatus.DELIVERED,
                created_at=at + timedelta(minutes=i),
            )
        return interaction

    return make
