"""Fixtures of the webhook tests: the endpoints and an outbound message awaiting callbacks."""

from __future__ import annotations

import pytest

INBOUND = "/whatsapp/twilio/inbound"
STATUS = "/whatsapp/twilio/status"
# The MessageSid of the status callback fixture files.
OUTBOUND_SID = "SMa1b2c3d4e5f60718293a4b5c6d7e8f90"


@pytest.fixture
def outbound_message(service, agent):
    """A reply Twilio has accepted (status queued), as the status fixtures expect."""
    from django.utils import timezone

    from interactions.models import Contact, Direction, Interaction, InteractionState, Message

    contact = Contact.objects.create(address="+393331234567", name="Maria Rossi")
    interaction = Interaction.objects.create(
        service=service,
        contact=contact,
        state=InteractionState.ASSIGNED,
        agent=agent,
        last_inbound_at=timezone.now(),
    )
    return Message.objects.create(
        interaction=interaction,
        direction=Direction.OUTBOUND,
        provider_id=OUTBOUND_SID,
        body="Ciao",
        status="queued",
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Agents are users with passwords; the real hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
