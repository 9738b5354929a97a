"""Who holds an interaction, and whether it is open: assign, close, transfer, requeue.

Every change of state goes through `transition`, so each one bumps the
version, writes its AssignmentEvent and tells the desks in the same way.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import AgentProfile
from interactions import events, selectors
from interactions.actions import ActionError, assignment, automation
from interactions.models import (
    OPEN_STATES,
    AssignmentEvent,
    CloseReason,
    Contact,
    Interaction,
    InteractionState,
)
from occ.lib import channels
from services.models import Service

Kind = AssignmentEvent.Kind
TRANSFER_NOTE_LENGTH = 500
WRAP_UP_NOTE_LENGTH = 2000


def transition(
    interaction: Interaction,
    kind: str,
    *,
    now: datetime,
    agent_id: int | None = None,
    reason: str = "",
    actor=None,
    note: str = "",
    service: Service | None = None,
    close_reason: CloseReason | None = None,
    wrap_up_note: str = "",
) -> None:
    """Apply one change of state to a locked interaction, record it and tell the desks.

    `kind` is the AssignmentEvent kind: ASSIGNED and TRANSFERRED give it to
    `agent_id` (whose row the caller locked and counted); REQUEUED puts it
    back in its queue at its original place; TRANSFERRED without an agent
    moves it to the queue of `service`, at the end (first in, first out
    there); CLOSED closes it, with `close_reason` and `wrap_up_note`.
    `note` is what the person handing it over wrote for the next one.
    Emits the matching domain event (interactions.events).
    """
    previous_agent_id = interaction.agent_id
    previous_service_id = interaction.service_id
    reason = reason[:300]
    to_queue = kind == Kind.REQUEUED or (kind == Kind.TRANSFERRED and agent_id is None)
    moved = False
    if to_queue:
        interaction.state = InteractionState.QUEUED
        interaction.agent = None
        interaction.assignment_reason = ""
        # In its own queue it keeps its original place (queued_at is unchanged).
        fields = ["state", "agent", "assignment_reason"]
        if service is not None and service.pk != interaction.service_id:
            # The customer keeps writing to (and hearing from) the number they wrote to.
            origin = interaction.origin_service_id or interaction.service_id
            interaction.origin_service_id = None if origin == service.pk else origin
            interaction.service = service
            interaction.queued_at = now
            fields += ["service", "queued_at", "origin_service"]
            moved = True
        agent_id = previous_agent_id
    elif kind in (Kind.ASSIGNED, Kind.TRANSFERRED):
        interaction.state = InteractionState.ASSIGNED
        interaction.agent_id = agent_id
        interaction.assigned_at = now
        interaction.assignment_reason = reason
        fields = ["state", "agent", "assigned_at", "assignment_reason"]
        if interaction.first_assigned_at is None:
            interaction.first_assigned_at = now
            fields.append("first_assigned_at")
    elif kind == Kind.CLOSED:
        interaction.state = InteractionState.CLOSED
        interaction.closed_at = now
        interaction.closed_by = actor
        interaction.close_reason = close_reason
        interaction.wrap_up_note = wrap_up_note
        fields = ["state", "closed_at", "closed_by", "close_reason", "wrap_up_note"]
        agent_id = previous_agent_id
    else:
        raise ValueError(f"not a transition: {kind}")
    interaction.version += 1
    interaction.save(update_fields=[*fields, "version"])
    if moved:
        # At the end of the other service's queue, numbered under its lock like an arrival.
        assignment.take_queue_place(interaction)
    AssignmentEvent.objects.create(
        interaction=interaction,
        kind=kind,
        agent_id=agent_id,
        actor=actor,
        reason=reason,
        note=note,
        at=now,
    )

    if kind == Kind.CLOSED:
        events.emit(events.InteractionClosed(interaction, agent_id))
    elif to_queue:
        events.emit(
            events.InteractionRequeued(
                interaction, previous_agent_id, previous_service_id if moved else None
            )
        )
    else:
        AgentProfile.objects.filter(pk=agent_id).update(last_assignment_at=now)  # type: ignore[misc]  # set for these kinds
        automation.after_assignment(interaction, now)
        if kind == Kind.ASSIGNED:
            events.emit(events.InteractionAssigned(interaction))
        else:
            events.emit(events.InteractionTransferred(interaction, previous_agent_id))


def locked(interaction_id: int) -> Interaction:
    """The interaction's row locked, after its service's: a close or a requeue changes the queue.

    See the lock order in interactions.actions.
    """
    service_id = (
        Interaction.objects.filter(pk=interaction_id).values_list("service_id", flat=True).first()
    )
    if service_id is not None:
        assignment.lock_services([service_id])
    return (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("service", "contact")
        .get(pk=interaction_id)
    )


def close_interaction(
    interaction_id: int,
    *,
    actor=None,
    close_reason_id: int | None = None,
    wrap_up_note: str = "",
    now: datetime | None = None,
) -> Interaction:
    """Close an open interaction; its agent's capacity frees and the queue drains at once.

    A person closing it (`actor`) must give a close reason when its service
    requires one; the system (an idle close) never has to. Only active
    close reasons can be chosen.
    """
    now = now or timezone.now()
    wrap_up_note = (wrap_up_note or "").strip()[:WRAP_UP_NOTE_LENGTH]
    with transaction.atomic():
        interaction = locked(interaction_id)
        if interaction.state == InteractionState.CLOSED:
            return interaction
        close_reason = None
        if close_reason_id is not None:
            close_reason = CloseReason.objects.filter(pk=close_reason_id, is_active=True).first()
            if close_reason is None:
                raise ActionError(_("Choose one of the close reasons in the list."))
        if close_reason is None and actor is not None and interaction.service.close_reason_required:
            raise ActionError(
                _("The service “%(service)s” requires a close reason: choose one.")
                % {"service": interaction.service.name}
            )
        agent_id = interaction.agent_id
        transition(
            interaction,
            Kind.CLOSED,
            now=now,
            actor=actor,
            reason=close_reason.name if close_reason else "",
            close_reason=close_reason,
            wrap_up_note=wrap_up_note,
        )
    if agent_id:
        assignment.drain_queue(selectors.agent_service_ids(agent_id))
    return interaction


def transfer_interaction(
    interaction_id: int,
    *,
    to_agent_id: int | None = None,
    to_service_id: int | None = None,
    note: str = "",
    actor=None,
    now: datetime | None = None,
) -> Interaction:
    """Hand an open interaction to another agent of its service, to another service's queue, or
    back to its own queue (neither given), with a note for whoever gets it next.

    A transfer never takes the receiving agent past Max interactions; in
    another service's queue the interaction waits at the end and is routed
    there like any other (interactions.routing), under its agents' Max
    interactions.
    """
    now = now or timezone.now()
    note = (note or "").strip()[:TRANSFER_NOTE_LENGTH]
    actor_name = actor.get_username() if actor else "system"
    with transaction.atomic():
        interaction = locked(interaction_id)
        if not interaction.is_open:
            raise ActionError(_("This interaction is closed."))
        from_agent_id = interaction.agent_id
        drain_ids = {interaction.service_id}
        if to_agent_id is not None:
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
                    raise ActionError(_("That agent does not serve this service."))
                raise ActionError(
                    _("That agent is not available (online, with Chat and WhatsApp enabled).")
                )
            if selectors.open_counts([target.pk]).get(target.pk, 0) >= target.max_interactions:
                raise ActionError(_("That agent already holds their Max interactions."))
            transition(
                interaction,
                Kind.TRANSFERRED,
                now=now,
                agent_id=target.pk,
                reason=f"transferred by {actor_name}",
                actor=actor,
                note=note,
            )
        elif to_service_id is not None and to_service_id != interaction.service_id:
            target_service = Service.objects.filter(pk=to_service_id, is_active=True).first()
            if target_service is None:
                raise ActionError(_("That service does not exist or is not active."))
            if Interaction.objects.filter(
                contact_id=interaction.contact_id,
                service=target_service,
                state__in=[InteractionState.QUEUED, InteractionState.ASSIGNED],
            ).exists():
                raise ActionError(
                    _("This customer already has an open conversation with “%(service)s”.")
                    % {"service": target_service.name}
                )
            from_service = interaction.service.name
            # Both queues change: their services' locks, in id order (the lock order).
            assignment.lock_services([interaction.service_id, target_service.pk])
            try:
                # The customer may write to that service at this very moment: the database's
                # one-open-interaction rule decides, and the transfer is refused in words.
                with transaction.atomic():
                    transition(
                        interaction,
                        Kind.TRANSFERRED,
                        now=now,
                        reason=f"transferred by {actor_name} from {from_service} "
                        f"to the queue of {target_service.name}",
                        actor=actor,
                        note=note,
                        service=target_service,
                    )
            except IntegrityError as exc:
                raise ActionError(
                    _("This customer already has an open conversation with “%(service)s”.")
                    % {"service": target_service.name}
                ) from exc
            drain_ids.add(target_service.pk)
        else:
            transition(
                interaction,
                Kind.REQUEUED,
                now=now,
                reason=f"returned to the queue by {actor_name}",
                actor=actor,
                note=note,
            )
    if from_agent_id:
        drain_ids.update(selectors.agent_service_ids(from_agent_id))
    assignment.drain_queue(drain_ids)
    interaction.refresh_from_db()
    return interaction


def take_over(
    interaction_id: int, *, agent_id: int, actor=None, now: datetime | None = None
) -> Interaction:
    """A supervisor takes an open interaction for themselves (their agent profile `agent_id`).

    Unlike a transfer it does not ask whether they serve the service, are
    online or have room under Max interactions: taking over is a
    supervisor's decision. The previous agent's capacity frees and their
    queues drain.
    """
    now = now or timezone.now()
    with transaction.atomic():
        interaction = locked(interaction_id)
        if not interaction.is_open:
            raise ActionError("This interaction is closed.")
        from_agent_id = interaction.agent_id
        if from_agent_id == agent_id:
            return interaction
        AgentProfile.objects.select_for_update().get(pk=agent_id)
        actor_name = actor.get_username() if actor else "system"
        transition(
            interaction,
            Kind.TRANSFERRED,
            now=now,
            agent_id=agent_id,
            reason=f"taken over by {actor_name}",
            actor=actor,
        )
    if from_agent_id:
        assignment.drain_queue(selectors.agent_service_ids(from_agent_id))
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


# --- reopening and starting conversations -----------------------------------------------------


def _capacity_of(agent_id: int | None, interaction: Interaction) -> AgentProfile | None:
    """The agent's row, locked, if they can take this interaction now (online, serving it, under Max)."""
    if agent_id is None:
        return None
    agent = (
        assignment.eligible_agents_for_update([interaction.service_id], interaction.channel)
        .filter(pk=agent_id)
        .first()
    )
    if agent is None:
        return None
    if selectors.open_counts([agent.pk]).get(agent.pk, 0) >= agent.max_interactions:
        return None
    return agent


def _open_one(contact_id: int, service_id: int) -> Interaction | None:
    return (
        Interaction.objects.filter(
            contact_id=contact_id, service_id=service_id, state__in=OPEN_STATES
        )
        .order_by("pk")
        .first()
    )


def _already_open(open_one: Interaction) -> ActionError:
    return ActionError(
        _(
            "%(contact)s already has an open conversation with %(service)s (#%(id)s): "
            "continue that one."
        )
        % {"contact": open_one.contact, "service": open_one.service, "id": open_one.pk}
    )


def reopen_interaction(
    interaction_id: int, *, actor, now: datetime | None = None
) -> tuple[Interaction, bool]:
    """Reopen a closed conversation: to the agent reopening it if they have capacity, else to its queue.

    Refused while the contact has another open conversation with the same
    service (one open conversation per contact and service). Returns the
    interaction and whether the agent got it.
    """
    now = now or timezone.now()
    contact_id = (
        Interaction.objects.filter(pk=interaction_id).values_list("contact_id", flat=True).first()
    )
    if contact_id is None:
        raise ActionError(_("No such conversation."))
    agent_id = getattr(getattr(actor, "agent_profile", None), "pk", None)
    with transaction.atomic():
        # Lock order: contact → its interactions → agents (interactions.actions).
        Contact.objects.select_for_update().filter(pk=contact_id).first()
        interaction = locked(interaction_id)
        if interaction.state != InteractionState.CLOSED:
            raise ActionError(_("This conversation is open already."))
        open_one = _open_one(contact_id, interaction.service_id)
        if open_one is not None:
            raise _already_open(open_one)
        was = interaction.close_reason.name if interaction.close_reason is not None else ""
        interaction.state = InteractionState.QUEUED
        interaction.agent = None
        interaction.queued_at = now
        interaction.closed_at = None
        interaction.closed_by = None
        interaction.close_reason = None
        interaction.assignment_reason = ""
        interaction.version += 1
        try:
            with transaction.atomic():
                interaction.save(
                    update_fields=[
                        "state",
                        "agent",
                        "queued_at",
                        "closed_at",
                        "closed_by",
                        "close_reason",
                        "assignment_reason",
                        "version",
                    ]
                )
        except IntegrityError as exc:  # opened by a customer's message this very moment
            raise ActionError(_("The customer has just written again: find the open one.")) from exc
        actor_name = actor.get_username() if actor else "system"
        AssignmentEvent.objects.create(
            interaction=interaction,
            kind=Kind.REOPENED,
            actor=actor,
            reason=(f"reopened by {actor_name}" + (f" (closed as: {was})" if was else ""))[:300],
            at=now,
        )
        events.emit(events.InteractionReopened(interaction, getattr(actor, "pk", None)))
        # Back in its service's queue at the end, numbered under the service's lock.
        assignment.take_queue_place(interaction)
        agent = _capacity_of(agent_id, interaction)
        if agent is not None:
            transition(
                interaction,
                Kind.ASSIGNED,
                now=now,
                agent_id=agent.pk,
                reason=f"reopened by {actor_name}",
                actor=actor,
            )
        else:
            events.emit(
                events.InteractionQueued(interaction, selectors.queue_position(interaction))
            )
    if agent is None:
        assignment.drain_queue([interaction.service_id])
    interaction.refresh_from_db()
    return interaction, agent is not None


def start_conversation(
    contact_id: int, service_id: int, *, actor, now: datetime | None = None
) -> Interaction:
    """An agent starts a conversation with a contact, within the channel's service window.

    The window (WhatsApp: 24 hours) runs from the customer's last message to
    the service; outside it only an approved template may open the
    conversation. The agent gets it, within their Max interactions.
    """
    now = now or timezone.now()
    agent_id = getattr(getattr(actor, "agent_profile", None), "pk", None)
    if agent_id is None:
        raise ActionError(_("Only agents start conversations."))
    from services.models import Service

    service = Service.objects.filter(pk=service_id).first()
    if service is None or not service.agents.filter(pk=agent_id).exists():
        raise ActionError(_("You do not serve that service."))
    with transaction.atomic():
        contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
        if contact is None:
            raise ActionError(_("No such contact."))
        open_one = _open_one(contact.pk, service.pk)
        if open_one is not None:
            raise _already_open(open_one)
        last_inbound = (
            Interaction.objects.filter(contact=contact, service=service)
            .exclude(last_inbound_at=None)
            .order_by("-last_inbound_at")
            .values_list("last_inbound_at", flat=True)
            .first()
        )
        window = channels.adapter_for(contact.channel).service_window
        if window is not None and (last_inbound is None or last_inbound + window <= now):
            raise ActionError(
                _(
                    "The customer last wrote to %(service)s more than 24 hours ago: "
                    "only an approved template can start a conversation now."
                )
                % {"service": service}
            )
        interaction = Interaction(
            service=service,
            contact=contact,
            channel=contact.channel,
            state=InteractionState.QUEUED,
            created_at=now,
            queued_at=now,
            last_inbound_at=last_inbound,
        )
        agent = _capacity_of(agent_id, interaction)
        if agent is None:
            raise ActionError(
                _("You can take no conversation now: be online and under your Max interactions.")
            )
        interaction.save()
        interaction.service = service
        interaction.contact = contact
        actor_name = actor.get_username()
        transition(
            interaction,
            Kind.ASSIGNED,
            now=now,
            agent_id=agent.pk,
            reason=f"started by {actor_name}",
            actor=actor,
        )
    return interaction
