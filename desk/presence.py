"""Presence from open desk tabs: offline once the last tab has been gone for the grace period.

Each desk WebSocket is a `DeskConnection` row, so every worker process sees
the tabs of the others. When a tab closes, a timer task is scheduled for
OCC_PRESENCE_GRACE_SECONDS later (a reload or a brief network drop
reconnects well within it); it sets the agent offline only if no live tab
is left, whoever holds it, and only if the agent's presence has not
changed since (engine.timers). The timer is a row of the task engine, so a
web process restarted during the grace loses none. Offline releases
nothing: the agent keeps the interactions they hold, and gets no new ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.utils import timezone

from agents.models import AgentProfile, DeskConnection, Presence
from desk import actions

# A tab sends a heartbeat every 25 s; a row not refreshed for this long
# belongs to a process that died without running disconnect().
STALE_AFTER = timedelta(seconds=90)


def connection_opened(agent_id: int, channel_name: str) -> None:
    DeskConnection.objects.update_or_create(
        channel_name=channel_name, defaults={"agent_id": agent_id, "seen_at": timezone.now()}
    )
    # Cheap, and keeps a single-process installation tidy without a cron job.
    sweep_stale()


def connection_seen(channel_name: str) -> None:
    DeskConnection.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def connection_closed(channel_name: str) -> None:
    DeskConnection.objects.filter(channel_name=channel_name).delete()


def tab_closed(agent_id: int, channel_name: str) -> None:
    """A desk tab went away: forget it, and decide on presence after the grace period."""
    from desk import tasks
    from engine import timers

    connection_closed(channel_name)
    grace = grace_seconds()
    if grace <= 0:
        offline_if_no_desk(agent_id)
        return
    changed_at = (
        AgentProfile.objects.filter(pk=agent_id)
        .values_list("presence_changed_at", flat=True)
        .first()
    )
    if changed_at is not None:
        timers.start(
            tasks.offline_after_grace,
            after=grace,
            agent_id=agent_id,
            token=timers.token(changed_at),
        )


def live_connections(agent_id: int, *, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return DeskConnection.objects.filter(agent_id=agent_id, seen_at__gte=now - STALE_AFTER).count()


def grace_seconds() -> float:
    return float(settings.OCC_PRESENCE_GRACE_SECONDS)


def offline_if_no_desk(
    agent_id: int, *, now: datetime | None = None, token: str | None = None
) -> bool:
    """After the grace period: no live tab left → offline. True when it changed.

    With a timer's `token`, nothing happens either when the agent's presence
    changed after the tab closed (the agent chose, e.g. through the API).
    """
    from engine import timers

    now = now or timezone.now()
    with transaction.atomic():
        agent = AgentProfile.objects.select_for_update().filter(pk=agent_id).first()
        if agent is None or agent.presence == Presence.OFFLINE:
            return False
        if token is not None and timers.moved_on(token, agent.presence_changed_at):
            return False
        if live_connections(agent_id, now=now):
            return False
        actions.set_presence(agent, Presence.OFFLINE)
    return True


def sweep_stale(*, now: datetime | None = None) -> list[int]:
    """Agents whose tabs were held by a process that died: offline once those rows go stale.

    Only agents with stale rows are considered, so an agent whose presence
    is managed without a desk (the API) is left alone.
    """
    now = now or timezone.now()
    stale = DeskConnection.objects.filter(seen_at__lt=now - STALE_AFTER)
    agent_ids = set(stale.values_list("agent_id", flat=True))
    stale.delete()
    return [agent_id for agent_id in sorted(agent_ids) if offline_if_no_desk(agent_id, now=now)]


def connect() -> None:
    user_logged_out.connect(_offline_on_logout, dispatch_uid="desk.presence.offline_on_logout")


def _offline_on_logout(sender, request, user, **kwargs):
    """Logging out counts as offline at once (the tabs' sockets lose their session)."""
    profile = AgentProfile.objects.filter(user=user).first() if user is not None else None
    if profile is not None and profile.presence != Presence.OFFLINE:
        actions.set_presence(profile, Presence.OFFLINE)
