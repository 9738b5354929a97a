"""A customer's message: stored exactly once, its interaction found or opened and routed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from interactions import csat, events
from interactions.actions import assignment, automation
from interactions.actions.retry import with_retry
from interactions.fastpaths.receive_first_message import open_for_new_contact
from interactions.fastpaths.receive_in_open_interaction import append_to_open_interaction
from interactions.models import (
    OPEN_STATES,
    PROFILE_FIELDS,
    AssignmentEvent,
    Contact,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageStatus,
)
from interactions.selectors import queue_position
from services import hours


@dataclass
class InboundMessage:
    """One message from a customer, as any channel adapter hands it over."""

    channel: str
    address: str
    provider_id: str
    body: str = ""
    name: str = ""
    external_id: str = ""
    # The customer's phone number when the channel gives it (the address may be a user id).
    phone: str = ""
    username: str = ""
    external_user_id: str = ""
    parent_external_user_id: str = ""
    attachments: list[dict] = field(default_factory=list)
    # location / button / referral / reply_to: see Message.extras.
    extras: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)


@dataclass
class InboundResult:
    message: Message | None
    interaction: Interaction | None
    duplicate: bool = False
    created_interaction: bool = False
    queue_position: int | None = None
    # The message answered a satisfaction survey (stored on the closed interaction).
    csat_answer: bool = False


def receive_inbound(
    service, inbound: InboundMessage, *, now: datetime | None = None
) -> InboundResult:
    """Store a customer's message exactly once and route its interaction.

    One transaction: the contact (locked), its open interaction with the
    service or a new one, the message row (unique provider id), and for a new
    interaction the routing decision. A repeated delivery of the same
    provider id changes nothing and reports `duplicate`: the unique
    constraint decides, so two deliveries racing in two processes still
    store one row.
    """
    now = now or timezone.now()

    def attempt() -> InboundResult:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Most messages continue an open conversation: one statement.
                ongoing = append_to_open_interaction(service.pk, inbound, now)
                if ongoing is not None:
                    interaction, message = ongoing
                    if interaction.service_id == service.pk:
                        interaction.service = service
                    automation.after_message(interaction.service, interaction, now)
                    events.emit(events.MessageReceived(interaction, message))
                    return InboundResult(message=message, interaction=interaction)
            # A satisfaction survey's answer stays on the closed interaction: never routed.
            answer = csat.take_answer(service, inbound, now)
            if answer is not None:
                return InboundResult(message=answer[1], interaction=answer[0], csat_answer=True)
            if connection.vendor == "postgresql":
                # A new customer's first message: one statement stores it all.
                opened = open_for_new_contact(service.pk, inbound, now)
                if opened is not None:
                    contact, interaction, message = opened
                    interaction.service, interaction.contact = service, contact
                    return _route_new_interaction(service, interaction, message, now)
            return _receive_inbound(service, inbound, now)

    try:
        return with_retry(attempt)
    except IntegrityError:
        # The same message was stored before (or concurrently, first).
        if Message.objects.filter(provider_id=inbound.provider_id).exists():
            return InboundResult(message=None, interaction=None, duplicate=True)
        raise


def _locked_contact(inbound: InboundMessage, now: datetime) -> Contact:
    """The contact's row, created if new, locked: serialises one contact's messages."""
    lookup = {"channel": inbound.channel, "address": inbound.address}
    contact = Contact.objects.select_for_update().filter(**lookup).first()
    if contact is not None:
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(
                **lookup,
                name=inbound.name,
                profile_name=inbound.name,
                **{name: getattr(inbound, name) for name in PROFILE_FIELDS},
                created_at=now,
            )
    except IntegrityError:
        # Created concurrently by another first message of the same customer.
        return Contact.objects.select_for_update().get(**lookup)


def _receive_inbound(service, inbound: InboundMessage, now: datetime) -> InboundResult:
    """The general path (any database): what the PostgreSQL fast paths also do, in several statements."""
    contact = _locked_contact(inbound, now)
    # The customer's profile (WhatsApp name, ids, username, number) follows what they set
    # (the name agents edit is theirs: it is the profile name only at first).
    changed = {
        field: value
        for field, value in [
            ("profile_name", inbound.name),
            *((name, getattr(inbound, name)) for name in PROFILE_FIELDS),
        ]
        if value and getattr(contact, field) != value
    }
    if changed:
        for field, value in changed.items():
            setattr(contact, field, value)
        contact.save(update_fields=[*changed, "updated_at"])

    # Its open conversation with this service, or one transferred from it to another service's
    # queue (the customer still writes to this number).
    interaction = (
        Interaction.objects.select_for_update(of=("self",))
        .filter(
            Q(service=service) | Q(origin_service=service), contact=contact, state__in=OPEN_STATES
        )
        .select_related("service")
        .first()
    )
    created = interaction is None
    if interaction is None:
        interaction = Interaction.objects.create(
            service=service,
            contact=contact,
            channel=inbound.channel,
            state=InteractionState.QUEUED,
            created_at=now,
            queued_at=now,
            last_inbound_at=now,
        )
        AssignmentEvent.objects.create(
            interaction=interaction, kind=AssignmentEvent.Kind.QUEUED, at=now
        )
    else:
        interaction.last_inbound_at = now
        interaction.version += 1
        interaction.save(update_fields=["last_inbound_at", "version"])
    if interaction.service_id == service.pk:
        interaction.service = service
    interaction.contact = contact

    # Unique provider id: a repeated delivery raises here and rolls back.
    message = Message.objects.create(
        interaction=interaction,
        direction=Direction.INBOUND,
        provider_id=inbound.provider_id,
        body=inbound.body,
        attachments=inbound.attachments,
        extras=inbound.extras,
        status=MessageStatus.RECEIVED,
        payload=inbound.payload,
        created_at=now,
        status_updated_at=now,
    )

    if created:
        return _route_new_interaction(service, interaction, message, now)
    automation.after_message(interaction.service, interaction, now)
    events.emit(events.MessageReceived(interaction, message))
    return InboundResult(message=message, interaction=interaction)


def _route_new_interaction(
    service, interaction: Interaction, message: Message, now: datetime
) -> InboundResult:
    """A new interaction and its first message are stored: announce it, give it an agent or a place.

    Its place in the queue is numbered under the service's row lock, which
    this transaction holds until it commits (`assignment.take_queue_place`):
    routing serves in that order, and the position told is counted under
    the same lock. Then the automatic messages and timers
    (`automation.after_new_interaction`), in this transaction too: each
    message and its sending task commit with the conversation.
    """
    position = None
    events.emit(events.InteractionOpened(interaction, message))
    assignment.take_queue_place(interaction)
    open_now = hours.is_open(service, now)
    # Route through the queue so an older waiting interaction goes first.
    assigned = {
        i.pk: i for i in assignment.drain([service.pk], now, known=[interaction], locked=[service])
    }
    if interaction.pk in assigned:
        interaction = assigned[interaction.pk]
    else:
        position = queue_position(interaction)
        events.emit(events.InteractionQueued(interaction, position))
    automation.after_new_interaction(service, interaction, position, now, open_now=open_now)
    events.emit(events.MessageReceived(interaction, message))
    return InboundResult(
        message=message, interaction=interaction, created_interaction=True, queue_position=position
    )
