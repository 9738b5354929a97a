"""A business-initiated conversation: an agent writes first, with an approved template.

Outside WhatsApp's 24-hour window (and before a customer ever wrote) only an
approved template may open a conversation (FACTS: error 63016). The agent
who starts it holds it at once (assigned, whatever their Max interactions:
they chose to take it); the first message goes through the one reply path
(`outbound.create_reply` → `deliver`), so its statuses, retries and
failures are those of any reply. When the customer answers, the
conversation continues as usual (window open, same interaction).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from agents.models import AgentProfile
from interactions import events
from interactions.actions import ActionError, outbound
from interactions.actions.lifecycle import Kind, transition
from interactions.models import OPEN_STATES, Contact, Interaction, InteractionState, Message
from occ.lib import channels


@dataclass
class Started:
    interaction: Interaction
    message: Message


def start_with_template(
    *,
    service,
    actor,
    template_id: str,
    template_variables: dict | None = None,
    contact: Contact | None = None,
    address: str = "",
    name: str = "",
    channel: str | None = None,
    now: datetime | None = None,
) -> Started:
    """Open a conversation of `service` with a contact (or a new address), assigned to `actor`.

    Raises ActionError when `actor` is not an agent of the service, the
    channel is not on for the service, the template is not an approved one
    (or misses a variable), or the contact already has an open conversation
    with the service (reply there instead). Call outside any transaction:
    the first delivery attempt is made after the commit.
    """
    now = now or timezone.now()
    if not service.whatsapp_ready:
        raise ActionError("WhatsApp is not on for this service.")
    if not template_id:
        raise ActionError("Choose an approved template: only a template can open a conversation.")
    agent = AgentProfile.objects.filter(user=actor).first() if actor is not None else None
    if agent is None or not agent.services.filter(pk=service.pk).exists():
        raise ActionError("Only an agent of this service can start a conversation on it.")
    if contact is None and not address:
        raise ActionError("Give the customer's number or choose a contact.")
    channel = channel or channels.default_name()
    channels.adapter_for(channel)  # a channel the core knows
    try:
        with transaction.atomic():
            if contact is None:
                contact, _created = Contact.objects.get_or_create(
                    channel=channel, address=address, defaults={"name": name, "created_at": now}
                )
            contact = Contact.objects.select_for_update().get(pk=contact.pk)
            existing = Interaction.objects.filter(
                contact=contact, service=service, state__in=OPEN_STATES
            ).first()
            if existing is not None:
                raise ActionError(
                    f"This customer already has an open conversation with the service (#{existing.pk}): reply there."
                )
            interaction = Interaction.objects.create(
                service=service,
                contact=contact,
                channel=channel,
                state=InteractionState.QUEUED,
                created_at=now,
                queued_at=now,
                last_inbound_at=None,
            )
            transition(
                interaction,
                Kind.ASSIGNED,
                now=now,
                agent_id=agent.pk,
                reason=f"started by {actor.get_username()} with a template",
                actor=actor,
            )
            message = outbound.create_reply(
                interaction.pk,
                sender=actor,
                template_id=template_id,
                template_variables=template_variables or {},
                now=now,
            )
            interaction.refresh_from_db()
            interaction.service, interaction.contact = service, contact
            events.emit(events.InteractionOpened(interaction, message))
    except IntegrityError as exc:
        # A first message of the customer opened one at the same moment.
        raise ActionError(
            "This customer already has an open conversation with the service: reply there."
        ) from exc
    return Started(interaction=interaction, message=outbound.attempt(message.pk, due_only=False))
