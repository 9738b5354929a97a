"""Writes about agents: presence, and what follows a change of their profile."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from agents.models import AgentProfile, Presence
from interactions import events, selectors
from interactions.actions import assignment, lifecycle

logger = logging.getLogger(__name__)


def set_presence(
    agent: AgentProfile, presence: str, *, release: bool = False, actor=None
) -> AgentProfile:
    """Online takes new interactions (and drains the queue); away and offline keep current ones.

    `release`: going away or offline, the agent returns the conversations
    they hold to the queue now (routed afresh to whoever is free). Going
    offline starts, for each service whose rule says so, the timer that
    returns them after the service's minutes (`release_after_offline`).
    """
    now = timezone.now()
    AgentProfile.objects.filter(pk=agent.pk).update(presence=presence, presence_changed_at=now)
    agent.presence = presence
    agent.presence_changed_at = now
    events.emit(events.AgentPresenceChanged(agent.pk, presence))
    if presence == Presence.ONLINE:
        capacity_changed(agent)
    elif release:
        lifecycle.release_interactions(agent, actor=actor)
    elif presence == Presence.OFFLINE:
        _start_offline_timers(agent)
    return agent


def _start_offline_timers(agent: AgentProfile) -> None:
    """One timer per service of the held conversations whose rule returns them to the queue."""
    from desk import tasks
    from engine import timers
    from interactions.models import Interaction, InteractionState
    from services.models import OfflineConversations, Service

    services = Service.objects.filter(
        pk__in=Interaction.objects.filter(agent=agent, state=InteractionState.ASSIGNED).values(
            "service_id"
        ),
        offline_conversations=OfflineConversations.REQUEUE,
    ).values_list("pk", "offline_after_minutes")
    for service_id, minutes in services:
        timers.start(
            tasks.release_after_offline,
            after=minutes * 60,
            agent_id=agent.pk,
            service_id=service_id,
            token=timers.token(agent.presence_changed_at),
        )


def release_after_offline(agent_id: int, service_id: int, token: str) -> int:
    """The agent stayed offline for the service's minutes: their conversations of it go back to the queue.

    Nothing happens when the agent changed presence since (came back, even
    briefly) or the service's rule no longer says so. The count returned.
    """
    from django.db import transaction

    from engine import timers
    from interactions.actions import ActionError
    from interactions.models import Interaction, InteractionState
    from services.models import OfflineConversations, Service

    with transaction.atomic():
        agent = AgentProfile.objects.select_for_update().filter(pk=agent_id).first()
        if agent is None or agent.presence != Presence.OFFLINE:
            return 0
        if timers.moved_on(token, agent.presence_changed_at):
            return 0
        if not Service.objects.filter(
            pk=service_id, offline_conversations=OfflineConversations.REQUEUE
        ).exists():
            return 0
        held = list(
            Interaction.objects.filter(
                agent_id=agent_id, service_id=service_id, state=InteractionState.ASSIGNED
            ).values_list("pk", flat=True)
        )
    released = 0
    for interaction_id in held:
        try:
            lifecycle.transfer_interaction(interaction_id, to_agent_id=None)
            released += 1
        except ActionError:  # closed or moved meanwhile
            continue
    return released


def capacity_changed(agent: AgentProfile) -> list:
    """An agent's profile, presence or services changed: serve their queues.

    A deactivated agent can no longer log in, so their open interactions go
    back to the queue (keeping their place) for the others to take.
    """
    if not agent.user.is_active:
        lifecycle.release_interactions(agent)
    return assignment.drain_queue(selectors.agent_service_ids(agent))


def become_agent(user) -> AgentProfile:
    """An administrator without an agent profile takes conversations: a profile for every active service.

    Chat and WhatsApp on, Max interactions 3, offline (the administrator goes
    online in the desk when ready). An existing profile is returned unchanged.
    """
    from services.models import Service

    profile, created = AgentProfile.objects.get_or_create(
        user=user,
        defaults={"chat_enabled": True, "whatsapp_enabled": True, "max_interactions": 3},
    )
    if created:
        profile.services.set(Service.objects.filter(is_active=True))
    return profile


def record_presence_span(event: events.AgentPresenceChanged) -> None:
    """Close the agent's current presence span and open one for the new presence (durable subscriber).

    The supervisor view adds the spans up into each agent's time in each presence today.
    """
    from agents.models import PresenceSpan

    now = timezone.now()
    current = (
        PresenceSpan.objects.filter(agent_id=event.agent_id, ended_at__isnull=True)
        .order_by("-started_at")
        .first()
    )
    if current is not None and current.presence == event.presence:
        return
    PresenceSpan.objects.filter(agent_id=event.agent_id, ended_at__isnull=True).update(ended_at=now)
    PresenceSpan.objects.create(agent_id=event.agent_id, presence=event.presence, started_at=now)


# --- read markers ---------------------------------------------------------------


def mark_read(agent: AgentProfile | None, interaction, message_id: int) -> int | None:
    """The agent holding `interaction` has seen it up to `message_id`: the marker moves forward.

    Returns the number of inbound messages still unread, or None when
    nothing changed hands: only the holder's own marker moves, so a
    supervisor (or a colleague) reading the conversation leaves it as it is.
    Every tab of the agent learns the new count through an
    `interaction.read` push, after the commit.
    """
    from django.db import transaction
    from django.db.models import Max

    from agents.models import ReadMarker
    from desk import selectors as desk
    from interactions.models import InteractionState, Message
    from interactions.notify import push

    if agent is None or interaction.agent_id != agent.pk:
        return None
    if interaction.state != InteractionState.ASSIGNED:
        return None
    newest = Message.objects.filter(interaction_id=interaction.pk).aggregate(n=Max("id"))["n"] or 0
    upto = max(0, min(int(message_id), newest))
    with transaction.atomic():
        marker, _created = ReadMarker.objects.select_for_update().get_or_create(
            agent_id=agent.pk, interaction_id=interaction.pk
        )
        if upto > marker.message_id:
            marker.message_id = upto
            marker.updated_at = timezone.now()
            marker.save(update_fields=["message_id", "updated_at"])
        unread = desk.unread_counts(agent, [interaction.pk]).get(interaction.pk, 0)
        event = {
            "type": "interaction.read",
            "interaction_id": interaction.pk,
            "message_id": marker.message_id,
            "unread": unread,
        }
        transaction.on_commit(lambda: push(event, agent_ids=[agent.pk], supervisors=False))
    return unread


PREFERENCES = ("notify_desktop", "notify_sound", "enter_sends")


def set_preferences(agent: AgentProfile, values: dict) -> dict:
    """The agent's own desk preferences (booleans); unknown keys are ignored. Every tab learns them."""
    from django.db import transaction

    from desk import selectors as desk
    from interactions.notify import push

    changed = {key: bool(values[key]) for key in PREFERENCES if key in values}
    if changed:
        AgentProfile.objects.filter(pk=agent.pk).update(**changed)
        for key, value in changed.items():
            setattr(agent, key, value)
    current = desk.preferences(agent)
    event = {"type": "agent.preferences", "agent_id": agent.pk, "preferences": current}
    transaction.on_commit(lambda: push(event, agent_ids=[agent.pk], supervisors=False))
    return current


# --- the customer sees "typing…" ---------------------------------------------------

TYPING_EVERY = timedelta(seconds=20)


def send_typing(agent: AgentProfile | None, interaction, *, now=None) -> str | None:
    """The agent holding `interaction` started a reply: tell the customer, for their latest message.

    Sent at most once per customer message and once per TYPING_EVERY per
    interaction (claimed on the interaction's `TypingSignal` row before the
    provider is called, so two tabs never both send). Never for a note (the
    desk does not ask while the agent writes one). A failure is logged,
    never raised: the agent's reply does not depend on it. Returns the
    provider id the signal was sent for, or None.
    """
    from django.db import IntegrityError, transaction

    from agents.models import TypingSignal
    from interactions.models import Direction, InteractionState, Message
    from occ.lib import channels

    now = now or timezone.now()
    if agent is None or interaction.agent_id != agent.pk:
        return None
    if interaction.state != InteractionState.ASSIGNED:
        return None
    latest = (
        Message.objects.filter(interaction_id=interaction.pk, direction=Direction.INBOUND)
        .exclude(provider_id__isnull=True)
        .exclude(provider_id="")
        .order_by("-id")
        .values_list("id", "provider_id")
        .first()
    )
    if latest is None:
        return None
    message_id, provider_id = latest
    with transaction.atomic():
        try:
            with transaction.atomic():
                TypingSignal.objects.create(
                    interaction_id=interaction.pk, message_id=message_id, sent_at=now
                )
            claimed = True
        except IntegrityError:
            claimed = bool(
                TypingSignal.objects.filter(
                    interaction_id=interaction.pk,
                    message_id__lt=message_id,
                    sent_at__lte=now - TYPING_EVERY,
                ).update(message_id=message_id, sent_at=now)
            )
    if not claimed or not provider_id:
        return None
    try:
        channels.adapter_for(interaction.channel).send_typing(provider_id)
    except Exception as exc:  # the provider refused or could not be reached: logged only
        logger.warning(
            "typing indicator for interaction %s (message %s) failed: %s",
            interaction.pk,
            message_id,
            getattr(exc, "msg", None) or type(exc).__name__,
        )
        return None
    return provider_id
