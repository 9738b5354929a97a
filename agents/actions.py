"""Writes about agents: presence, and what follows a change of their profile."""

from __future__ import annotations

from django.utils import timezone

from agents.models import AgentProfile, Presence
from interactions import events, selectors
from interactions.actions import assignment, lifecycle


def set_presence(agent: AgentProfile, presence: str) -> AgentProfile:
    """Online takes new interactions (and drains the queue); away and offline keep current ones."""
    now = timezone.now()
    AgentProfile.objects.filter(pk=agent.pk).update(presence=presence, presence_changed_at=now)
    agent.presence = presence
    agent.presence_changed_at = now
    events.emit(events.AgentPresenceChanged(agent.pk, presence))
    if presence == Presence.ONLINE:
        capacity_changed(agent)
    return agent


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
