"""Business operations on interactions: receive, assign, drain, close, transfer, reply.

Every operation that changes who holds an interaction locks the agents'
rows (`select_for_update`, ordered by id so concurrent transactions never
deadlock on them), counts their open interactions and applies the pure
decision of `interactions.routing` in the same transaction. That is what
keeps Max interactions true when webhooks arrive at the same moment in
several processes. Pushes to desks are sent after the commit.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from agents.models import AgentProfile, Presence
from interactions import notify
from interactions.events import interaction_dict, message_dict
from interactions.models import (
    OPEN_STATES,
    AssignmentEvent,
    Contact,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageStatus,
)
from interactions.routing import AgentLoad, QueuedItem, plan_assignments
from interactions.signals import interaction_opened
from interactions.statuses import should_advance

logger = logging.getLogger(__name__)

# The agent-profile flag that enables each channel.
CHANNEL_FLAGS = {"whatsapp": "whatsapp_enabled"}

# WhatsApp's customer-service window: free text only within 24 h of the
# customer's last message; afterwards only approved templates.
SERVICE_WINDOW = timedelta(hours=24)


class ActionError(Exception):
    """An operation that cannot be done, with a message for the user."""


# --- inbound ------------------------------------------------------------------


@dataclass
class InboundMessage:
    """One message from a customer, as any channel adapter hands it over."""

    channel: str
    address: str
    provider_id: str
    body: str = ""
    name: str = ""
    external_id: str = ""
    attachments: list[dict] = field(default_factory=list)
    payload: dict = field(default_factory=dict)


@dataclass
class InboundResult:
    message: Message | None
    interaction: Interaction | None
    duplicate: bool = False
    created_interaction: bool = False


def receive_inbound(service, inbound: InboundMessage, *, now: datetime | None = None) -> InboundResult:
    """Store a customer's message exactly once and route its interaction.

    One transaction: the contact (locked), its open interaction with the
    service or a new one, the message row (unique provider id), and for a new
    interaction the routing decision. A repeated delivery of the same
    provider id changes nothing and reports `duplicate`.
    """
    now = now or timezone.now()
    if Message.objects.filter(provider_id=inbound.provider_id).exists():
        return InboundResult(message=None, interaction=None, duplicate=True)
    try:
        with transaction.atomic():
            return _receive_inbound(service, inbound, now)
    except IntegrityError:
        # A concurrent delivery of the same message committed first.
        if Message.objects.filter(provider_id=inbound.provider_id).exists():
            return InboundResult(message=None, interaction=None, duplicate=True)
        raise


def _receive_inbound(service, inbound: InboundMessage, now: datetime) -> InboundResult:
    contact, _created = Contact.objects.get_or_create(
        channel=inbound.channel,
        address=inbound.address,
        defaults={"name": inbound.name, "external_id": inbound.external_id},
    )
    # Serialises messages of one contact: one open interaction per service.
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    changed = [
        name
        for name, value in (("name", inbound.name), ("external_id", inbound.external_id))
        if value and getattr(contact, name) != value
    ]
    if changed:
        for name in changed:
            setattr(contact, name, getattr(inbound, name))
        contact.save(update_fields=[*changed, "updated_at"])

    interaction = (
        Interaction.objects.select_for_update()
        .filter(contact=contact, service=service, state__in=OPEN_STATES)
        .first()
    )
    created = interaction is None
    if created:
        interaction = Interaction.objects.create(
            service=service,
            contact=contact,
            channel=inbound.channel,
            state=InteractionState.QUEUED,
            created_at=now,
            queued_at=now,
            last_inbound_at=now,
        )
        AssignmentEvent.objects.create(interaction=interaction, kind=AssignmentEvent.Kind.QUEUED, at=now)
    else:
        interaction.last_inbound_at = now
        interaction.version += 1
        interaction.save(update_fields=["last_inbound_at", "version"])

    message = Message.objects.create(
        interaction=interaction,
        direction=Direction.INBOUND,
        provider_id=inbound.provider_id,
        body=inbound.body,
        attachments=inbound.attachments,
        status=MessageStatus.RECEIVED,
        payload=inbound.payload,
        created_at=now,
        status_updated_at=now,
    )

    if created:
        interaction_opened.send(sender=Interaction, interaction=interaction, message=message)
        # Route through the queue so an older waiting interaction goes first.
        _drain([service.pk], now)
        interaction.refresh_from_db()
        if interaction.state == InteractionState.QUEUED:
            notify.push({"type": "interaction.queued", "interaction": interaction_dict(interaction)})
    notify.push(
        {"type": "message.created", "interaction_id": interaction.pk, "message": message_dict(message)},
        agent_ids=[interaction.agent_id],
    )
    return InboundResult(message=message, interaction=interaction, created_interaction=created)


# --- routing and the queue ------------------------------------------------------


def _eligible_agents_for_update(service_ids: Iterable[int], channel: str = "whatsapp"):
    """Agents who can take new interactions of these services, rows locked."""
    through = AgentProfile.services.through
    serving = through.objects.filter(service_id__in=list(service_ids)).values("agentprofile_id")
    return (
        AgentProfile.objects.select_for_update(of=("self",))
        .filter(
            pk__in=serving,
            user__is_active=True,
            chat_enabled=True,
            presence=Presence.ONLINE,
            **{CHANNEL_FLAGS[channel]: True},
        )
        .order_by("pk")
    )


def open_counts(agent_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Interaction.objects.filter(agent_id__in=list(agent_ids), state=InteractionState.ASSIGNED)
        .values("agent_id")
        .annotate(n=Count("id"))
    )
    return {row["agent_id"]: row["n"] for row in rows}


def _drain(service_ids: list[int], now: datetime) -> list[Interaction]:
    """Assign queued interactions of these services, oldest first. Call inside a transaction."""
    if not service_ids:
        return []
    agents = list(_eligible_agents_for_update(service_ids))
    if not agents:
        return []
    counts = open_counts(a.pk for a in agents)
    served: dict[int, set[int]] = defaultdict(set)
    for row in AgentProfile.services.through.objects.filter(
        agentprofile_id__in=[a.pk for a in agents], service_id__in=service_ids
    ).values("agentprofile_id", "service_id"):
        served[row["agentprofile_id"]].add(row["service_id"])
    loads = [
        AgentLoad(
            agent_id=a.pk,
            open_interactions=counts.get(a.pk, 0),
            max_interactions=a.max_interactions,
            last_assignment_at=a.last_assignment_at,
            service_ids=frozenset(served[a.pk]),
        )
        for a in agents
    ]
    queue: list[QueuedItem] = []
    for service_id in service_ids:
        capacity = sum(load.free for load in loads if service_id in load.service_ids)
        if capacity <= 0:
            continue
        rows = (
            Interaction.objects.select_for_update()
            .filter(service_id=service_id, state=InteractionState.QUEUED)
            .order_by("queued_at", "pk")
            .values_list("pk", "queued_at")[:capacity]
        )
        queue.extend(QueuedItem(pk, service_id, queued_at) for pk, queued_at in rows)
    plan = plan_assignments(queue, loads, now)
    assigned = []
    for interaction_id, decision in plan:
        interaction = Interaction.objects.select_related("service", "contact").get(pk=interaction_id)
        _assign(interaction, decision.agent_id, decision.reason, now, AssignmentEvent.Kind.ASSIGNED)
        assigned.append(interaction)
    return assigned


def _assign(interaction: Interaction, agent_id: int, reason: str, now: datetime, kind: str, actor=None) -> None:
    previous_agent_id = interaction.agent_id
    interaction.state = InteractionState.ASSIGNED
    interaction.agent_id = agent_id
    interaction.assigned_at = now
    interaction.assignment_reason = reason[:300]
    interaction.version += 1
    interaction.save(update_fields=["state", "agent", "assigned_at", "assignment_reason", "version"])
    AgentProfile.objects.filter(pk=agent_id).update(last_assignment_at=now)
    AssignmentEvent.objects.create(
        interaction=interaction, kind=kind, agent_id=agent_id, actor=actor, reason=reason[:300], at=now
    )
    if previous_agent_id and previous_agent_id != agent_id:
        notify.push(
            {"type": "interaction.removed", "interaction": interaction_dict(interaction)},
            agent_ids=[previous_agent_id],
            supervisors=False,
        )
    notify.push(
        {"type": "interaction.assigned", "interaction": interaction_dict(interaction)},
        agent_ids=[agent_id],
    )


def drain_queue(service_ids: Iterable[int] | None = None, *, now: datetime | None = None) -> list[Interaction]:
    """Give waiting interactions to agents with free capacity, oldest first.

    Called whenever capacity may have appeared: an interaction closed or
    transferred, an agent coming online, Max interactions raised, an agent
    added to a service.
    """
    now = now or timezone.now()
    if service_ids is None:
        service_ids = (
            Interaction.objects.filter(state=InteractionState.QUEUED)
            .values_list("service_id", flat=True)
            .distinct()
        )
    ids = sorted(set(service_ids))
    with transaction.atomic():
        return _drain(ids, now)


def agent_service_ids(agent: AgentProfile) -> list[int]:
    return list(agent.services.values_list("pk", flat=True))


def capacity_changed(agent: AgentProfile) -> list[Interaction]:
    """An agent's profile, presence or services changed: serve their queues."""
    return drain_queue(agent_service_ids(agent))


def set_presence(agent: AgentProfile, presence: str) -> AgentProfile:
    """Online takes new interactions (and drains the queue); away and offline keep current ones."""
    now = timezone.now()
    AgentProfile.objects.filter(pk=agent.pk).update(presence=presence, presence_changed_at=now)
    agent.presence = presence
    agent.presence_changed_at = now
    notify.push({"type": "agent.presence", "agent_id": agent.pk, "presence": presence}, agent_ids=[agent.pk])
    if presence == Presence.ONLINE:
        capacity_changed(agent)
    return agent


# --- close and transfer --------------------------------------------------------


def close_interaction(interaction_id: int, *, actor=None, now: datetime | None = None) -> Interaction:
    """Close an open interaction; its agent's capacity frees and the queue drains at once."""
    now = now or timezone.now()
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update().select_related("service", "contact").get(pk=interaction_id)
        )
        if interaction.state == InteractionState.CLOSED:
            return interaction
        agent_id = interaction.agent_id
        interaction.state = InteractionState.CLOSED
        interaction.closed_at = now
        interaction.closed_by = actor
        interaction.version += 1
        interaction.save(update_fields=["state", "closed_at", "closed_by", "version"])
        AssignmentEvent.objects.create(
            interaction=interaction, kind=AssignmentEvent.Kind.CLOSED, agent_id=agent_id, actor=actor, at=now
        )
        notify.push({"type": "interaction.closed", "interaction": interaction_dict(interaction)}, agent_ids=[agent_id])
    if agent_id:
        drain_queue(AgentProfile.services.through.objects.filter(agentprofile_id=agent_id).values_list("service_id", flat=True))
    return interaction


def transfer_interaction(
    interaction_id: int, *, to_agent_id: int | None = None, actor=None, now: datetime | None = None
) -> Interaction:
    """Hand an open interaction to another agent of its service, or back to its queue.

    A transfer never takes the receiving agent past Max interactions.
    """
    now = now or timezone.now()
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update().select_related("service", "contact").get(pk=interaction_id)
        )
        if not interaction.is_open:
            raise ActionError("This interaction is closed.")
        from_agent_id = interaction.agent_id
        if to_agent_id is None:
            interaction.state = InteractionState.QUEUED
            interaction.agent = None
            interaction.assignment_reason = ""
            interaction.version += 1
            # Keeps its original place in the queue (queued_at is unchanged).
            interaction.save(update_fields=["state", "agent", "assignment_reason", "version"])
            AssignmentEvent.objects.create(
                interaction=interaction, kind=AssignmentEvent.Kind.REQUEUED, agent_id=from_agent_id, actor=actor, at=now
            )
            notify.push({"type": "interaction.removed", "interaction": interaction_dict(interaction)}, agent_ids=[from_agent_id])
        else:
            if to_agent_id == from_agent_id:
                return interaction
            target = _eligible_agents_for_update([interaction.service_id], interaction.channel).filter(
                pk=to_agent_id
            ).first()
            if target is None:
                target_any = AgentProfile.objects.filter(pk=to_agent_id).first()
                if target_any is None or not target_any.services.filter(pk=interaction.service_id).exists():
                    raise ActionError("That agent does not serve this service.")
                raise ActionError("That agent is not available (online, with Chat and WhatsApp enabled).")
            if open_counts([target.pk]).get(target.pk, 0) >= target.max_interactions:
                raise ActionError("That agent already holds their Max interactions.")
            actor_name = actor.get_username() if actor else "system"
            _assign(interaction, target.pk, f"transferred by {actor_name}", now, AssignmentEvent.Kind.TRANSFERRED, actor)
    if from_agent_id:
        drain_queue(
            AgentProfile.services.through.objects.filter(agentprofile_id=from_agent_id).values_list("service_id", flat=True)
        )
    else:
        drain_queue([interaction.service_id])
    interaction.refresh_from_db()
    return interaction


# --- outbound --------------------------------------------------------------------


def window_closes_at(interaction: Interaction) -> datetime | None:
    if interaction.last_inbound_at is None:
        return None
    return interaction.last_inbound_at + SERVICE_WINDOW


def create_reply(
    interaction_id: int,
    *,
    sender,
    body: str = "",
    attachments: list[dict] | None = None,
    template_id: str = "",
    template_variables: dict | None = None,
    now: datetime | None = None,
) -> Message:
    """Store an agent's reply (status pending) before anything is sent.

    Free text needs the customer-service window open; outside it only a
    template may be sent (Twilio would answer error 63016).
    """
    now = now or timezone.now()
    body = (body or "").strip()
    if not body and not attachments and not template_id:
        raise ActionError("Write a message, attach a file or choose a template.")
    with transaction.atomic():
        interaction = Interaction.objects.select_for_update().select_related("service", "contact").get(pk=interaction_id)
        if not interaction.is_open:
            raise ActionError("This interaction is closed.")
        closes = window_closes_at(interaction)
        if not template_id and (closes is None or closes <= now):
            raise ActionError(
                "More than 24 hours have passed since the customer's last message: WhatsApp allows only an "
                "approved template until the customer writes again (Twilio error 63016)."
            )
        message = Message.objects.create(
            interaction=interaction,
            direction=Direction.OUTBOUND,
            body=body,
            attachments=attachments or [],
            template_id=template_id,
            template_variables=template_variables or {},
            status=MessageStatus.PENDING,
            sender=sender,
            created_at=now,
            status_updated_at=now,
        )
        if interaction.first_reply_at is None:
            interaction.first_reply_at = now
        interaction.version += 1
        interaction.save(update_fields=["first_reply_at", "version"])
        notify.push(
            {"type": "message.created", "interaction_id": interaction.pk, "message": message_dict(message)},
            agent_ids=[interaction.agent_id],
        )
    return message


def record_status(
    message: Message, status: str, *, provider_id: str = "", error_code: str = "", error_message: str = ""
) -> bool:
    """Move a message's status forward (never back); True when it changed."""
    with transaction.atomic():
        locked = Message.objects.select_for_update().select_related("interaction").get(pk=message.pk)
        fields = []
        if provider_id and not locked.provider_id:
            locked.provider_id = provider_id
            fields.append("provider_id")
        advanced = should_advance(locked.status, status)
        if advanced:
            locked.status = status
            locked.status_updated_at = timezone.now()
            fields += ["status", "status_updated_at"]
        if error_code and (advanced or not locked.error_code):
            locked.error_code = str(error_code)[:16]
            locked.error_message = (error_message or "")[:500]
            fields += ["error_code", "error_message"]
        if fields:
            locked.save(update_fields=list(dict.fromkeys(fields)))
        if advanced or "error_code" in fields:
            notify.push(
                {"type": "message.status", "interaction_id": locked.interaction_id, "message": message_dict(locked)},
                agent_ids=[locked.interaction.agent_id],
            )
    message.refresh_from_db()
    return advanced


# Delivery of outbound messages. Twilio's Messages API has no idempotency
# key, so "without sending twice" rests on telling apart what certainly did
# not reach Twilio from what may have:
# - HTTP 429/5xx answers and connection failures (nothing was accepted) are
#   retried with exponential backoff, at most MAX_SEND_ATTEMPTS times;
# - a read timeout is ambiguous (Twilio may have accepted the message and
#   not answered in time): it is never retried automatically. The message
#   stays pending; its StatusCallback carries our own id (`?m=<pk>`), so if
#   Twilio took it the callback attaches the SID and moves the status on.
#   Without any callback for UNCONFIRMED_AFTER the message is marked failed
#   with an explanation, and the agent decides whether to send it again.
# Each attempt first claims the row with a conditional UPDATE on
# send_attempts, so the in-process retry and the `process_outbound` worker
# (or two workers) never send the same message at the same time.
MAX_SEND_ATTEMPTS = 5
SEND_LEASE = timedelta(seconds=60)  # longer than any Twilio call (timeout ≤ 10 s)
UNCONFIRMED_AFTER = timedelta(minutes=10)


def _claim_send(message: Message, now: datetime) -> bool:
    """Take the right to make the next attempt; False when someone else has it or it is done."""
    from django.db.models import Q

    claimed = (
        Message.objects.filter(
            pk=message.pk,
            direction=Direction.OUTBOUND,
            status=MessageStatus.PENDING,
            provider_id__isnull=True,
            send_attempts=message.send_attempts,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .exclude(send_attempts__gt=0, next_attempt_at__isnull=True)  # ambiguous: awaiting Twilio's callback
        .update(send_attempts=message.send_attempts + 1, next_attempt_at=now + SEND_LEASE)
    )
    return claimed == 1


def deliver(message: Message, *, now: datetime | None = None) -> Message:
    """Make one attempt to send a stored outbound message through its channel's transport.

    Returns the message as it now stands: sent (provider id and status
    recorded), pending with `next_attempt_at` set (transient error: retry
    later), pending with no next attempt (ambiguous timeout: wait for the
    status callback) or failed (permanent error, shown on the message).
    """
    from interactions.transports import SendError, transport_for

    now = now or timezone.now()
    message = Message.objects.select_related("interaction__service", "interaction__contact").get(pk=message.pk)
    if not _claim_send(message, now):
        return message
    message.send_attempts += 1
    try:
        result = transport_for(message.interaction.channel).send(message)
    except SendError as exc:
        if exc.ambiguous:
            Message.objects.filter(pk=message.pk).update(next_attempt_at=None, error_message=str(exc)[:500])
        elif exc.transient and message.send_attempts < MAX_SEND_ATTEMPTS:
            backoff = min(300, 2 ** message.send_attempts)
            Message.objects.filter(pk=message.pk).update(
                next_attempt_at=timezone.now() + timedelta(seconds=backoff),
                error_code=(exc.code or "")[:16],
                error_message=str(exc)[:500],
            )
        else:
            Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
            record_status(message, MessageStatus.FAILED, error_code=exc.code or "send", error_message=str(exc))
            message.refresh_from_db()
            return message
        message.refresh_from_db()
        notify.push(
            {"type": "message.status", "interaction_id": message.interaction_id, "message": message_dict(message)},
            agent_ids=[message.interaction.agent_id],
        )
        return message
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None, error_code="", error_message="")
    record_status(message, result.status, provider_id=result.provider_id)
    message.refresh_from_db()
    return message


def fail_unconfirmed(*, now: datetime | None = None) -> list[int]:
    """Mark failed the sends Twilio never confirmed (ambiguous timeout, no callback since)."""
    now = now or timezone.now()
    stale = Message.objects.filter(
        direction=Direction.OUTBOUND,
        status=MessageStatus.PENDING,
        provider_id__isnull=True,
        send_attempts__gt=0,
        next_attempt_at__isnull=True,
        created_at__lte=now - UNCONFIRMED_AFTER,
    )
    ids = list(stale.values_list("pk", flat=True))
    for message in Message.objects.filter(pk__in=ids):
        record_status(
            message,
            MessageStatus.FAILED,
            error_code="unconfirmed",
            error_message="Twilio did not confirm this message. It may or may not have reached the customer.",
        )
    return ids


def due_for_delivery(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Outbound messages waiting for an attempt: retries that are due, and sends never tried."""
    from django.db.models import Q

    now = now or timezone.now()
    return list(
        Message.objects.filter(
            direction=Direction.OUTBOUND, status=MessageStatus.PENDING, provider_id__isnull=True
        )
        .filter(
            Q(send_attempts__gt=0, next_attempt_at__lte=now)
            # Never tried: the process died between storing and sending.
            | Q(send_attempts=0, next_attempt_at__isnull=True, created_at__lte=now - timedelta(seconds=10))
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
