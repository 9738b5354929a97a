"""What OCC does on its own: automatic messages, business hours, and the timers of a conversation.

- A new conversation (`after_new_interaction`, in the webhook's
  transaction, after routing): the greeting; outside business hours the
  out-of-hours reply and, per service, a place in the queue until the next
  opening (a timer drains the queue then) or a close; inside hours and not
  assigned, the queued message with the true position and an estimated
  wait, or the no-agent message when nobody serving the service is online.
- A later message (`after_message`): outside hours, the out-of-hours reply
  again if the last one to this customer is older than the service's N hours.
- Timers (engine/timers.py, "do X at T unless the state changed"):
  `reassign_if_unanswered` (the first-response target), `close_if_idle`
  (N hours without a customer message), `drain_at_opening` (the queue of a
  service that opens). Each task re-reads the state under the service's and
  the conversation's locks and acts only when nothing moved on.

Every automatic message is an outbound message of its conversation, stored
by `outbound.create_reply` (the window rule applies) with
`extras["automatic"]` = its kind, and sent by a task worker like any reply
(`interactions.tasks.send_automatic`).
"""

from __future__ import annotations

import logging
import math
import statistics
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from engine import timers
from engine.actions import enqueue
from interactions import selectors
from interactions.actions import ActionError, outbound
from interactions.models import (
    AssignmentEvent,
    Direction,
    Interaction,
    InteractionState,
    Message,
    SlaBreach,
)
from services import hours
from services import messages as catalogue
from services.models import MessageKind, Service

logger = logging.getLogger(__name__)

Kind = AssignmentEvent.Kind

# The estimated wait when a service has no handling time on record yet.
DEFAULT_HANDLING_SECONDS = 300
HANDLING_SAMPLE = 50  # the last closed conversations whose handling time is used
HANDLING_DAYS = 7


# --- automatic messages -----------------------------------------------------------------


def send_automatic(
    interaction: Interaction, kind: str, *, now: datetime, **values
) -> Message | None:
    """Store one automatic message in the conversation and enqueue its sending (same transaction).

    None when it cannot be sent as free text (the channel's window is closed:
    outside it only a template may go).
    """
    from interactions import tasks  # the tasks module imports the actions

    body = catalogue.render(interaction.service, kind, interaction.contact, now=now, **values)
    try:
        message = outbound.create_reply(
            interaction.pk, sender=None, body=body, now=now, automatic=kind
        )
    except ActionError as exc:
        logger.info("automatic %s message to #%s not sent: %s", kind, interaction.pk, exc)
        return None
    enqueue(tasks.send_automatic, message.pk)
    return message


def last_automatic_at(interaction: Interaction, kind: str) -> datetime | None:
    """When this contact last received this automatic message from this service (any conversation)."""
    return (
        Message.objects.filter(
            interaction__contact_id=interaction.contact_id,
            interaction__service_id=interaction.service_id,
            direction=Direction.OUTBOUND,
            extras__automatic=kind,
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def _out_of_hours_reply(service: Service, interaction: Interaction, now: datetime, opening) -> None:
    if not service.out_of_hours_reply:
        return
    last = last_automatic_at(interaction, MessageKind.OUT_OF_HOURS)
    if last is not None and now - last < timedelta(hours=service.out_of_hours_reply_every_hours):
        return
    send_automatic(interaction, MessageKind.OUT_OF_HOURS, now=now, opening_at=opening)


def estimated_wait_minutes(service: Service, position: int, now: datetime) -> int | None:
    """About how long the customer at `position` waits, in whole minutes; None when nobody is online.

    The service's handling time is the median, over its last 50 conversations
    closed in the past 7 days, of assignment to close (5 minutes with none on
    record). Its online agents' Max interactions are the places served at
    once; each frees about once per handling time, so the customer at
    position p waits about p × handling time / places.
    """
    places = sum(selectors.online_agents(service.pk).values_list("max_interactions", flat=True))
    if places <= 0:
        return None
    rows = (
        Interaction.objects.filter(
            service=service,
            state=InteractionState.CLOSED,
            assigned_at__isnull=False,
            closed_at__gte=now - timedelta(days=HANDLING_DAYS),
        )
        .order_by("-closed_at")
        .values_list("assigned_at", "closed_at")[:HANDLING_SAMPLE]
    )
    durations = [
        (closed - assigned).total_seconds()
        for assigned, closed in rows
        if assigned is not None and closed is not None and closed > assigned
    ]
    handling = statistics.median(durations) if durations else DEFAULT_HANDLING_SECONDS
    return max(1, math.ceil(position * handling / places / 60))


def after_new_interaction(
    service: Service,
    interaction: Interaction,
    position: int | None,
    now: datetime,
    *,
    open_now: bool,
) -> None:
    """The automatic messages and timers of a conversation just opened and routed (same transaction)."""
    if not open_now:
        opening = hours.next_opening(service, now)
        _out_of_hours_reply(service, interaction, now, opening)
        if service.out_of_hours_action == "close":
            from interactions.actions import lifecycle

            lifecycle.transition(
                interaction, Kind.CLOSED, now=now, reason="closed: outside business hours"
            )
            return
        if opening is not None:
            # Served at the next opening (drain skips a closed service until then).
            timers.start(
                _tasks().drain_at_opening,
                at=opening,
                service_id=service.pk,
                token=timers.token(opening),
            )
    else:
        if service.greeting_enabled:
            send_automatic(interaction, MessageKind.GREETING, now=now)
        if position is not None:
            if not selectors.online_agents(service.pk).exists():
                if service.no_agent_reply:
                    send_automatic(interaction, MessageKind.NO_AGENT, now=now)
            elif service.queue_position_reply:
                send_automatic(
                    interaction,
                    MessageKind.QUEUED,
                    now=now,
                    position=position,
                    wait_minutes=estimated_wait_minutes(service, position, now),
                )
    if service.idle_close_hours:
        start_idle_timer(interaction, at=now + timedelta(hours=service.idle_close_hours))


def after_message(service: Service, interaction: Interaction, now: datetime) -> None:
    """A customer's message in a waiting conversation: outside hours, the out-of-hours reply (rate-limited).

    Not while an agent holds the conversation: they are answering, whatever the clock says.
    """
    if not (service.business_hours_enabled and service.out_of_hours_reply):
        return
    if interaction.state != InteractionState.QUEUED:
        return
    schedule = hours.schedule(service)
    if schedule.is_open(now):
        return
    _out_of_hours_reply(service, interaction, now, schedule.next_opening(now))


def _tasks():
    from interactions import tasks  # the tasks module imports the actions

    return tasks


# --- the first-response target -------------------------------------------------------------


def sla_token(interaction: Interaction) -> str:
    return timers.token(
        interaction.state, interaction.agent_id, interaction.assigned_at, interaction.first_reply_at
    )


def after_assignment(interaction: Interaction, now: datetime) -> None:
    """An agent got the conversation: start the first-response timer if the service has a target."""
    minutes = interaction.service.first_response_minutes
    if not minutes or interaction.first_reply_at is not None:
        return
    timers.start(
        _tasks().reassign_if_unanswered,
        at=now + timedelta(minutes=minutes),
        interaction_id=interaction.pk,
        token=sla_token(interaction),
    )


def _lock_service_and_interaction(interaction_id: int) -> Interaction | None:
    """The service's row, then the conversation's (the lock order of lifecycle and routing)."""
    service_id = (
        Interaction.objects.filter(pk=interaction_id).values_list("service_id", flat=True).first()
    )
    if service_id is None:
        return None
    Service.objects.select_for_update(no_key=True).filter(pk=service_id).first()
    return (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("service", "contact")
        .filter(pk=interaction_id)
        .first()
    )


def reassign_if_unanswered(interaction_id: int, token: str, *, now: datetime | None = None) -> str:
    """The first-response target passed: another available agent, else the front of the queue.

    Does nothing ("moved on") when the agent replied, the conversation was
    transferred, returned to the queue or closed since the timer started.
    Records the breach (SlaBreach) and emits the transfer or requeue; a
    requeued conversation goes before everyone waiting, and the queue is
    drained at once (with nobody else free, the same agent may get it back,
    with a new target).
    """
    from interactions.actions import assignment, lifecycle
    from interactions.routing import AgentLoad, choose_agent

    now = now or timezone.now()
    with transaction.atomic():
        interaction = _lock_service_and_interaction(interaction_id)
        if interaction is None or timers.moved_on(
            token,
            interaction.state,
            interaction.agent_id,
            interaction.assigned_at,
            interaction.first_reply_at,
        ):
            return "moved on"
        service = interaction.service
        minutes = service.first_response_minutes
        if not minutes or interaction.state != InteractionState.ASSIGNED:
            return "off"
        late_agent, assigned_at = interaction.agent_id, interaction.assigned_at
        agents = list(
            assignment.eligible_agents_for_update([service.pk], interaction.channel).exclude(
                pk=late_agent
            )
        )
        counts = selectors.open_counts(a.pk for a in agents)
        decision = choose_agent(
            AgentLoad(
                agent_id=a.pk,
                open_interactions=counts.get(a.pk, 0),
                max_interactions=a.max_interactions,
                last_assignment_at=a.last_assignment_at,
                service_ids=frozenset({service.pk}),
            )
            for a in agents
        )
        why = f"first-response target of {minutes} min missed"
        if decision is not None:
            lifecycle.transition(
                interaction,
                Kind.TRANSFERRED,
                now=now,
                agent_id=decision.agent_id,
                reason=f"{why}; {decision.reason}",
            )
            outcome = SlaBreach.Outcome.REASSIGNED
        else:
            # The front of the queue: before every conversation waiting now.
            front = Interaction.objects.filter(
                service_id=service.pk, state=InteractionState.QUEUED
            ).aggregate(front=Min("queue_order"))["front"]
            if front is not None and front <= interaction.queue_order:
                interaction.queue_order = front - 1
                interaction.save(update_fields=["queue_order"])
            lifecycle.transition(
                interaction, Kind.REQUEUED, now=now, reason=f"{why}; no other agent available"
            )
            outcome = SlaBreach.Outcome.REQUEUED
        SlaBreach.objects.create(
            interaction=interaction,
            service=service,
            agent_id=late_agent,
            target_minutes=minutes,
            assigned_at=assigned_at or now,
            at=now,
            outcome=outcome,
            new_agent_id=decision.agent_id if decision else None,
        )
    # The late agent's place freed: the queue (this conversation at its front) is served again.
    # With nobody else free that may be the same agent, with a new target: each miss is recorded.
    assignment.drain_queue([service.pk], now=now)
    return outcome


# --- idle conversations ----------------------------------------------------------------------


def start_idle_timer(interaction: Interaction, *, at: datetime) -> None:
    timers.start(
        _tasks().close_if_idle,
        at=at,
        interaction_id=interaction.pk,
        token=timers.token(interaction.pk, interaction.created_at),
    )


def close_if_idle(interaction_id: int, token: str, *, now: datetime | None = None) -> str:
    """N hours without a customer message: close, with the closing message if the service sends one.

    One timer per conversation: when it finds a later customer message it
    starts itself again for that message's deadline ("later").
    """
    from interactions.actions import assignment, lifecycle

    now = now or timezone.now()
    with transaction.atomic():
        interaction = _lock_service_and_interaction(interaction_id)
        if interaction is None or not interaction.is_open:
            return "closed already"
        if timers.moved_on(token, interaction.pk, interaction.created_at):
            return "moved on"
        idle_hours = interaction.service.idle_close_hours
        if not idle_hours:
            return "off"
        last = interaction.last_inbound_at or interaction.created_at
        due = last + timedelta(hours=idle_hours)
        if due > now:
            start_idle_timer(interaction, at=due)
            return "later"
        if interaction.service.closed_message_enabled:
            send_automatic(interaction, MessageKind.CLOSED, now=now)
        agent_id = interaction.agent_id
        lifecycle.transition(
            interaction, Kind.CLOSED, now=now, reason=f"closed: idle for {idle_hours} h"
        )
    if agent_id:
        assignment.drain_queue(selectors.agent_service_ids(agent_id))
    return "closed"


# --- business hours --------------------------------------------------------------------------


def drain_at_opening(service_id: int, token: str, *, now: datetime | None = None) -> str:
    """A service opens: serve its queue. Early (the schedule changed): wait for the new opening."""
    from interactions.actions import assignment

    now = now or timezone.now()
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        return "gone"
    schedule = hours.schedule(service)
    if not schedule.is_open(now):
        opening = schedule.next_opening(now)
        if opening is not None and timers.moved_on(token, opening):
            with transaction.atomic():
                timers.start(
                    _tasks().drain_at_opening,
                    at=opening,
                    service_id=service_id,
                    token=timers.token(opening),
                )
        return "not open"
    assignment.drain_queue([service_id], now=now)
    return "drained"
