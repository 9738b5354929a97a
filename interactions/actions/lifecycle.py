"""Who holds an interaction, and whether it is open: assign, close, transfer, requeue.

Every change of state goes through `transition`, so each one bumps the
version, writes its AssignmentEvent and tells the desks in the same way.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from agents.models import AgentProfile
from interactions import events, selectors
from interactions.actions import ActionError, assignment
from interactions.models import AssignmentEvent, Interaction, InteractionState

Kind = AssignmentEvent.Kind


def transition(
    interaction: Interaction,
    kind: str,
    *,
    now: datetime,
    agent_id: int | None = None,
    reason: str = "",
    actor=None,
) -> None:
    """Apply one change of state to a locked open interaction, record it and tell the desks.

    `kind` is the AssignmentEvent kind: ASSIGNED and TRANSFERRED give it to
    `agent_id` (whose row the caller locked and counted), REQUEUED puts it
    back in its queue at its original place, CLOSED closes it. Emits the
    matching domain event (interactions.events).
    """
    previous_agent_id = interaction.agent_id
    reason = reason[:300]
    if kind in (Kind.ASSIGNED, Kind.TRANSFERRED):
        interaction.state = InteractionState.ASSIGNED
        interaction.agent_id = agent_id
        interaction.assigned_at = now
        interaction.assignment_reason = reason
        fields = ["state", "agent", "assigned_at", "assignment_reason"]
        if interaction.first_assigned_at is None:
            interaction.first_assigned_at = now
            fields.append("first_assigned_at")
    elif kind == Kind.REQUEUED:
        interaction.state = InteractionState.QUEUED
        interaction.agent = None
        interaction.assignment_reason = ""
        # Keeps its original place in the queue (queued_at is unchanged).
        fields = ["state", "agent", "assignment_reason"]
        agent_id = previous_agent_id
    elif kind == Kind.CLOSED:
        interaction.state = InteractionState.CLOSED
        interaction.closed_at = now
        interaction.closed_by = actor
        fields = ["state", "closed_at", "closed_by"]
        agent_id = previous_agent_id
    else:
        raise ValueError(f"not a transition: {kind}")
    interaction.version += 1
    interaction.save(update_fields=[*fields, "version"])
    AssignmentEvent.objects.create(
        interaction=interaction, kind=kind, agent_id=agent_id, actor=actor, reason=reason, at=now
    )

    if kind == Kind.CLOSED:
        events.emit(events.InteractionClosed(interaction, agent_id))
    elif kind == Kind.REQUEUED:
        events.emit(events.InteractionRequeued(interaction, previous_agent_id))
    else:
        AgentProfile.objects.filter(pk=agent_id).update(last_assignment_at=now)  # type: ignore[misc]  # set for these kinds
        if kind == Kind.ASSIGNED:
            events.emit(events.InteractionAssigned(interaction))
        else:
            events.emit(events.InteractionTransferred(interaction, previous_agent_id))


def _locked(interaction_id: int) -> Interaction:
    return (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("service", "contact")
        .get(pk=interaction_id)
    )


def close_interaction(
    interaction_id: int, *, actor=None, now: datetime | None = None
) -> Interaction:
    """Close an open interaction; its agent's capacity frees and the queue drains at once."""
    now = now or timezone.now()
    with transaction.atomic():
        interaction = _locked(interaction_id)
        if interaction.state == InteractionState.CLOSED:
            return interaction
        agent_id = interaction.agent_id
        transition(interaction, Kind.CLOSED, now=now, actor=actor)
    if agent_id:
        assignment.drain_queue(selectors.agent_service_ids(agent_id))
    return interaction


def transfer_interaction(
    interaction_id: int, *, to_agent_id: int | None = None, actor=None, now: datetime | None = None
) -> Interaction:
    """Hand an open interaction to another agent of its service, or back to its queue.

    A transfer never takes the receiving agent past Max interactions.
    """
    now = now or timezone.now()
    with transaction.atomic():
        interaction = _locked(interaction_id)
        if not interaction.is_open:
            raise ActionError("This interaction is closed.")
        from_agent_id = interaction.agent_id
        if to_agent_id is None:
            transition(interaction, Kind.REQUEUED, now=now, actor=actor)
        else:
            if to_agent_id == from_agent_id:
                return interaction
            target = (
                assignment.eligible_agents_for_update([interaction.service_id], interaction.channel)
                .filter(pk=to_agent_id)
                .first()
            )
            if target is None:
                target_any = AgentProfile.objects.filter(pk=to_agent_id).first()
                if (
                    target_any is None
                    or not target_any.services.filter(pk=interaction.service_id).exists()
                ):
                    raise ActionError("That agent does not serve this service.")
                raise ActionError(
                    "That agent is not available (online, with Chat and WhatsApp enabled)."
                )
            if selectors.open_counts([target.pk]).get(target.pk, 0) >= target.max_interactions:
                raise ActionError("That agent already holds their Max interactions.")
            actor_name = actor.get_username() if actor else "system"
            transition(
                interaction,
                Kind.TRANSFERRED,
                now=now,
                agent_id=target.pk,
                reason=f"transferred by {actor_name}",
                actor=actor,
            )
    assignment.drain_queue(
        selectors.agent_service_ids(from_agent_id) if from_agent_id else [interaction.service_id]
    )
    interaction.refresh_from_db()
    return interaction


def release_interactions(agent: AgentProfile, *, actor=None) -> int:
    """Return every interaction the agent holds to its service's queue; the count."""
    held = list(
        Interaction.objects.filter(agent=agent, state=InteractionState.ASSIGNED).values_list(
            "pk", flat=True
        )
    )
    for interaction_id in held:
        transfer_interaction(interaction_id, to_agent_id=None, actor=actor)
    return len(held)
