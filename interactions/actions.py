"""Business operations on interactions: receive, assign, drain, close, transfer, reply.

Every operation that changes who holds an interaction locks the agents'
rows (`select_for_update`, ordered by id so concurrent transactions never
deadlock on them), counts their open interactions and applies the pure
decision of `interactions.routing` in the same transaction. That is what
keeps Max interactions true when webhooks arrive at the same moment in
several processes. Pushes to desks are sent after the commit.

Lock order, the same in every operation so none can deadlock another:
contact → its interaction → agents (by id) → queued interactions. Locks
name their table (`of=("self",)`): a `select_related` row is read, never
locked, as locking a contact from the interaction's side inverts the order.
PostgreSQL may still pick a deadlock victim in corner cases; those
transactions are run again (`_with_retry`).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import ngettext

from agents.models import AgentProfile, Presence
from interactions import background, notify
from interactions.events import interaction_dict, message_dict
from interactions.first_message import open_for_new_contact
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
from interactions.ongoing import append_to_open_interaction
from interactions.routing import AgentLoad, QueuedItem, plan_assignments
from interactions.signals import interaction_opened
from interactions.status_update import advance_status
from interactions.statuses import should_advance
from occ.compiled_query import CompiledQuery

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


# PostgreSQL's deadlock_detected and serialization_failure: the transaction
# was rolled back as a whole, so running it again is safe.
RETRYABLE_SQLSTATES = {"40P01", "40001"}
RETRY_ATTEMPTS = 5


def _is_retryable(exc: BaseException) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES or getattr(cause, "pgcode", None) in RETRYABLE_SQLSTATES


def _with_retry(operation):
    """Run a transaction, again if PostgreSQL chose it as a deadlock victim."""
    for attempt in range(1, RETRY_ATTEMPTS + 1):
        try:
            return operation()
        except OperationalError as exc:
            if attempt == RETRY_ATTEMPTS or not _is_retryable(exc) or transaction.get_connection().in_atomic_block:
                raise
            logger.warning("transaction retried after %s (attempt %s)", exc.__cause__.__class__.__name__, attempt)
            time.sleep(0.01 * attempt)
    raise AssertionError("unreachable")


def receive_inbound(service, inbound: InboundMessage, *, now: datetime | None = None) -> InboundResult:
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
                    interaction.service = service
                    _push_message("message.created", message, interaction.agent_id)
                    return InboundResult(message=message, interaction=interaction)
                # A new customer's first message: one statement stores it all.
                opened = open_for_new_contact(service.pk, inbound, now)
                if opened is not None:
                    contact, interaction, message = opened
                    interaction.service, interaction.contact = service, contact
                    return _route_new_interaction(service, interaction, message, now)
            return _receive_inbound(service, inbound, now)

    try:
        return _with_retry(attempt)
    except IntegrityError:
        # The same message was stored before (or concurrently, first).
        if Message.objects.filter(provider_id=inbound.provider_id).exists():
            return InboundResult(message=None, interaction=None, duplicate=True)
        raise


def _locked_contact(inbound: InboundMessage) -> Contact:
    """The contact's row, created if new, locked: serialises one contact's messages."""
    lookup = {"channel": inbound.channel, "address": inbound.address}
    contact = Contact.objects.select_for_update().filter(**lookup).first()
    if contact is not None:
        return contact
    try:
        with transaction.atomic():
            return Contact.objects.create(**lookup, name=inbound.name, external_id=inbound.external_id)
    except IntegrityError:
        # Created concurrently by another first message of the same customer.
        return Contact.objects.select_for_update().get(**lookup)


def _receive_inbound(service, inbound: InboundMessage, now: datetime) -> InboundResult:
    contact = _locked_contact(inbound)
    # The customer's WhatsApp profile name and id follow what they set.
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
    _push_message("message.created", message, interaction.agent_id)
    return InboundResult(message=message, interaction=interaction)


def _route_new_interaction(service, interaction: Interaction, message: Message, now: datetime) -> InboundResult:
    """A new interaction and its first message are stored: announce it, give it an agent or a place."""
    position = None
    interaction_opened.send(sender=Interaction, interaction=interaction, message=message)
    # Route through the queue so an older waiting interaction goes first.
    assigned = {i.pk: i for i in _drain([service.pk], now, known=[interaction])}
    if interaction.pk in assigned:
        interaction = assigned[interaction.pk]
    else:
        position = queue_position(interaction)
        notify.push({"type": "interaction.queued", "interaction": interaction_dict(interaction), "position": position})
        if service.queue_position_reply:
            _send_queue_position_reply(interaction, position, now)
    _push_message("message.created", message, interaction.agent_id)
    return InboundResult(message=message, interaction=interaction, created_interaction=True, queue_position=position)


def _push_message(kind: str, message: Message, agent_id: int | None) -> None:
    """A message event, for the desk of the agent holding the conversation.

    Not for supervisors: their view shows queues, loads and conversations,
    which a message does not change (it refreshes every 30 s for waiting
    times), and each push would make every supervisor tab reload its whole
    snapshot, once per message of a burst.
    """
    notify.push(
        {"type": kind, "interaction_id": message.interaction_id, "message": message_dict(message)},
        agent_ids=[agent_id],
        supervisors=False,
    )


def queue_position(interaction: Interaction) -> int:
    """1 for the next interaction to be served in its service's queue."""
    ahead = Interaction.objects.filter(
        service_id=interaction.service_id, state=InteractionState.QUEUED
    ).filter(
        Q(queued_at__lt=interaction.queued_at) | Q(queued_at=interaction.queued_at, pk__lt=interaction.pk)
    )
    return ahead.count() + 1


def queue_position_text(position: int) -> str:
    return ngettext(
        "Thank you for your message. All our agents are busy: you are first in the queue. We will answer you shortly.",
        "Thank you for your message. All our agents are busy: you are number %(position)d in the queue. We will answer you as soon as possible.",
        position,
    ) % {"position": position}


def _send_queue_position_reply(interaction: Interaction, position: int, now: datetime) -> None:
    """Tell a waiting customer their place in the queue (Service.queue_position_reply).

    The reply is stored in this transaction (so it cannot be lost) and sent
    by a background thread after the commit, so the webhook's answer never
    waits for Twilio (see interactions.background).
    """
    message = create_reply(interaction.pk, sender=None, body=queue_position_text(position), now=now)
    background.after_commit(f"queue-reply-{message.pk}", lambda: deliver(Message.objects.get(pk=message.pk)))


# --- routing and the queue ------------------------------------------------------


def _eligible_agents_for_update(service_ids: Iterable[int], channel: str = "whatsapp"):
    """Agents who can take new interactions of these services, rows locked."""
    return (
        # FOR NO KEY UPDATE: serialises every decision about these agents'
        # load, yet lets other transactions insert rows pointing at them
        # (messages, events) without waiting.
        AgentProfile.objects.select_for_update(of=("self",), no_key=True)
        .filter(
            pk__in=_serving(service_ids),
            user__is_active=True,
            chat_enabled=True,
            presence=Presence.ONLINE,
            **{CHANNEL_FLAGS[channel]: True},
        )
        .order_by("pk")
    )


def open_counts(agent_ids: Iterable[int]) -> dict[int, int]:
    return dict(_open_counts_query(agent_id__in=list(agent_ids)))


def _open_counts_query(**agent_filter):
    return (
        Interaction.objects.filter(state=InteractionState.ASSIGNED, **agent_filter)
        .values_list("agent_id")
        .annotate(n=Count("id"))
    )


def _serving(service_ids: Iterable[int]):
    """The ids of the agents serving these services, as a subquery."""
    return AgentProfile.services.through.objects.filter(service_id__in=list(service_ids)).values("agentprofile_id")


def _round_up(n: int) -> int:
    """The next power of two: few distinct LIMITs, so few compiled queries."""
    return 1 << max(0, n - 1).bit_length()


# The reads of every routing decision, compiled once (see occ.compiled_query):
# a new conversation runs them all, and compiling them cost more than
# running them.
#   - the eligible agents of these services, locked, with what routing reads;
_LOCKED_AGENTS = CompiledQuery(
    lambda service_ids: _eligible_agents_for_update(service_ids).values_list("pk", "max_interactions", "last_assignment_at")
)
#   - the open interactions of every agent of these services (a subquery,
#     not a list of hundreds of ids to send);
_OPEN_COUNTS = CompiledQuery(lambda service_ids: _open_counts_query(agent_id__in=_serving(service_ids)))
#   - the oldest waiting interactions of one service, locked.
_LOCKED_QUEUE = CompiledQuery(
    lambda service_id, limit: Interaction.objects.select_for_update(of=("self",))
    .filter(service_id=service_id, state=InteractionState.QUEUED)
    .order_by("queued_at", "pk")
    .values_list("pk", "queued_at")[:limit]
)


def _drain(service_ids: list[int], now: datetime, known: Iterable[Interaction] = ()) -> list[Interaction]:
    """Assign queued interactions of these services, oldest first. Call inside a transaction.

    `known`: interactions the caller has loaded already (a new one), so
    they are not read again.
    """
    if not service_ids:
        return []
    agents = _LOCKED_AGENTS.rows(service_ids)
    if not agents:
        return []
    agent_ids = [agent_id for agent_id, _max, _last in agents]
    # Counted in a statement of its own, after the locks are held: a count
    # inside the locking SELECT would use the snapshot taken before waiting
    # (READ COMMITTED) and miss assignments just committed by the lock holder.
    # Counted for every agent of these services; only the locked agents'
    # counts are used.
    counts = dict(_OPEN_COUNTS.rows(service_ids))
    served: dict[int, set[int]] = defaultdict(set)
    if len(service_ids) == 1:
        # The common case (a new message): every agent found serves it.
        for agent_id in agent_ids:
            served[agent_id].add(service_ids[0])
    else:
        for row in AgentProfile.services.through.objects.filter(
            agentprofile_id__in=agent_ids, service_id__in=service_ids
        ).values("agentprofile_id", "service_id"):
            served[row["agentprofile_id"]].add(row["service_id"])
    loads = [
        AgentLoad(
            agent_id=agent_id,
            open_interactions=counts.get(agent_id, 0),
            max_interactions=max_interactions,
            last_assignment_at=last_assignment_at,
            service_ids=frozenset(served[agent_id]),
        )
        for agent_id, max_interactions, last_assignment_at in agents
    ]
    queue: list[QueuedItem] = []
    for service_id in service_ids:
        capacity = sum(load.free for load in loads if service_id in load.service_ids)
        if capacity <= 0:
            continue
        # Only as many as can be served, the oldest first (a few more are
        # locked when capacity is not a power of two; they stay queued).
        rows = _LOCKED_QUEUE.rows(service_id, limit=_round_up(capacity))[:capacity]
        queue.extend(QueuedItem(pk, service_id, queued_at) for pk, queued_at in rows)
    plan = plan_assignments(queue, loads, now)
    if not plan:
        return []
    waiting = {interaction.pk: interaction for interaction in known}
    missing = [interaction_id for interaction_id, _decision in plan if interaction_id not in waiting]
    if missing:
        waiting.update(Interaction.objects.select_related("service", "contact").in_bulk(missing))
    assigned = []
    for interaction_id, decision in plan:
        interaction = waiting[interaction_id]
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

    def attempt() -> list[Interaction]:
        with transaction.atomic():
            return _drain(ids, now)

    return _with_retry(attempt)


def agent_service_ids(agent: AgentProfile | int) -> list[int]:
    """The services an agent (or agent id) serves."""
    agent_id = agent if isinstance(agent, int) else agent.pk
    return list(AgentProfile.services.through.objects.filter(agentprofile_id=agent_id).values_list("service_id", flat=True))


def capacity_changed(agent: AgentProfile) -> list[Interaction]:
    """An agent's profile, presence or services changed: serve their queues.

    A deactivated agent can no longer log in, so their open interactions go
    back to the queue (keeping their place) for the others to take.
    """
    if not agent.user.is_active:
        release_interactions(agent)
    return drain_queue(agent_service_ids(agent))


def release_interactions(agent: AgentProfile, *, actor=None) -> int:
    """Return every interaction the agent holds to its service's queue; the count."""
    held = list(
        Interaction.objects.filter(agent=agent, state=InteractionState.ASSIGNED).values_list("pk", flat=True)
    )
    for interaction_id in held:
        transfer_interaction(interaction_id, to_agent_id=None, actor=actor)
    return len(held)


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
            Interaction.objects.select_for_update(of=("self",)).select_related("service", "contact").get(pk=interaction_id)
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
        drain_queue(agent_service_ids(agent_id))
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
            Interaction.objects.select_for_update(of=("self",)).select_related("service", "contact").get(pk=interaction_id)
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
    drain_queue(agent_service_ids(from_agent_id) if from_agent_id else [interaction.service_id])
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
        interaction = Interaction.objects.select_for_update(of=("self",)).select_related("service", "contact").get(pk=interaction_id)
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
        _push_message("message.created", message, interaction.agent_id)
    return message


def record_status_callback(
    message_id: int | None, *, provider_id: str, status: str, error_code: str = "", error_message: str = ""
) -> bool:
    """A provider's status callback for our message (found by our id, else by its id); True if it moved."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            # The common case, a later status: one statement.
            moved = advance_status(message_id, provider_id, status, error_code, error_message, timezone.now())
            if moved is not None:
                message, agent_id = moved
                _push_message("message.status", message, agent_id)
                return True
    message = None
    if message_id is not None:
        message = Message.objects.filter(pk=message_id, direction=Direction.OUTBOUND).first()
    if message is None:
        message = Message.objects.filter(provider_id=provider_id, direction=Direction.OUTBOUND).first()
    if message is None or (message.provider_id and message.provider_id != provider_id):
        logger.warning("status callback %s for unknown message %s", status, provider_id)
        return False
    # A late or repeated status (the three callbacks of a reply often race):
    # status, SID and error code only ever move one way, so what this
    # unlocked read says would not change cannot change later either.
    if not (
        should_advance(message.status, status)
        or (provider_id and not message.provider_id)
        or (error_code and not message.error_code)
    ):
        return False
    return record_status(
        message, status, provider_id=provider_id, error_code=error_code, error_message=error_message
    )


def record_status(
    message: Message, status: str, *, provider_id: str = "", error_code: str = "", error_message: str = ""
) -> bool:
    """Move a message's status forward (never back); True when it changed."""
    with transaction.atomic():
        locked = Message.objects.select_for_update(of=("self",)).select_related("interaction").get(pk=message.pk)
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
            _push_message("message.status", locked, locked.interaction.agent_id)
    message.refresh_from_db()
    return advanced


# Delivery of outbound messages. Twilio's Messages API has no idempotency
# key, so "never sent twice" rests on telling apart what certainly did not
# reach Twilio from what may have:
# - HTTP 429/5xx answers and refused connections (Twilio took nothing) are
#   retried with exponential backoff, at most OCC_SEND_MAX_ATTEMPTS times;
# - a read timeout is ambiguous: Twilio may have accepted the message and
#   not answered in time. The next attempt, at least AMBIGUOUS_WAIT later,
#   first settles it: if Twilio's status callback (it carries our own id,
#   `?m=<pk>`) has attached the SID meanwhile, or Twilio's message list shows
#   the message, it is recorded and nothing is sent again; only when Twilio
#   has no such message is it sent.
# Each attempt claims the row with a conditional UPDATE on send_attempts
# and marks it in flight (next_attempt_at = now + SEND_LEASE), so the
# in-process retry and the `process_outbound` worker never send the same
# message at the same time; an attempt cut short by a crash is ambiguous too.
SEND_LEASE = timedelta(seconds=60)  # longer than any Twilio call (timeout ≤ 10 s)
AMBIGUOUS_WAIT = 30  # seconds: Twilio's "sent" callback usually arrives well within this
AMBIGUOUS = "timeout"  # error_code of a message whose last attempt may have reached Twilio


def _claim_send(message: Message, now: datetime, *, due_only: bool) -> bool:
    """Take the right to make the next attempt; False when another worker took it or it is done."""
    from django.db.models import Q

    rows = Message.objects.filter(
        pk=message.pk,
        direction=Direction.OUTBOUND,
        status=MessageStatus.PENDING,
        provider_id__isnull=True,
        send_attempts=message.send_attempts,
    )
    if due_only:
        rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    # Until its outcome is recorded the attempt counts as ambiguous: if this
    # process dies while Twilio has the request, the next attempt settles it first.
    return rows.update(send_attempts=message.send_attempts + 1, next_attempt_at=now + SEND_LEASE, error_code=AMBIGUOUS) == 1


def _settle_ambiguous(message: Message, transport) -> bool:
    """After a timed-out attempt: True when Twilio turned out to have the message (now recorded)."""
    find = getattr(transport, "find_accepted", None)
    found = find(message) if find else None
    if found is None:
        return False
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None, error_code="", error_message="")
    record_status(message, found.status, provider_id=found.provider_id)
    return True


def deliver(message: Message, *, now: datetime | None = None, due_only: bool = False) -> Message:
    """Make one attempt to send a stored outbound message through its channel's transport.

    Updates `message` in place and returns it: sent (provider id and status
    recorded), pending with `next_attempt_at` (a transient or ambiguous
    error: the next attempt is due then), or failed (a permanent error, or
    the last attempt, with the reason). A message the provider already has
    is never sent again. `due_only` (the retry workers) leaves alone a
    message whose next attempt is not due or that another worker is sending.
    """
    from django.conf import settings

    from interactions.transports import SendError, transport_for

    now = now or timezone.now()
    message.refresh_from_db()
    if message.provider_id or message.status != MessageStatus.PENDING or message.direction != Direction.OUTBOUND:
        # E.g. a status callback arrived after a timed-out send Twilio did accept.
        return message
    transport = transport_for(message.interaction.channel)
    max_attempts = settings.OCC_SEND_MAX_ATTEMPTS
    if message.error_code == AMBIGUOUS:
        try:
            if _settle_ambiguous(message, transport):
                message.refresh_from_db()
                return message
        except SendError:
            pass  # Twilio unreachable for the check as well: the attempt below finds out again
        if message.send_attempts >= max_attempts:
            Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
            record_status(
                message,
                MessageStatus.FAILED,
                error_code="unconfirmed",
                error_message=f"Twilio did not answer (gave up after {message.send_attempts} attempts).",
            )
            return message
    if not _claim_send(message, now, due_only=due_only):
        message.refresh_from_db()
        return message
    message.send_attempts += 1
    try:
        result = transport.send(message)
    except SendError as exc:
        if (exc.transient or exc.ambiguous) and not (exc.transient and message.send_attempts >= max_attempts):
            backoff = min(300, 2 ** message.send_attempts)
            if exc.ambiguous:
                backoff = max(backoff, AMBIGUOUS_WAIT)
            Message.objects.filter(pk=message.pk).update(
                next_attempt_at=timezone.now() + timedelta(seconds=backoff),
                error_code=AMBIGUOUS if exc.ambiguous else (exc.code or "")[:16],
                error_message=str(exc)[:500],
            )
            message.refresh_from_db()
            _push_message("message.status", message, message.interaction.agent_id)
            return message
        Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
        reason = str(exc)
        if exc.transient:
            # Bounded: after the last attempt the agent sees why, and can send again.
            reason = f"{exc} (gave up after {message.send_attempts} attempts)"
        record_status(message, MessageStatus.FAILED, error_code=exc.code or "send", error_message=reason)
        return message
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None, error_code="", error_message="")
    record_status(message, result.status, provider_id=result.provider_id)
    return message


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
