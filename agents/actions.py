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
