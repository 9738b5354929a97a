"""Presence on the task engine: the grace timer of a closed tab, and the sweep of stopped processes."""

from __future__ import annotations

from desk import presence
from engine import periodic
from engine.compat import task


@task
def offline_after_grace(agent_id: int, token: str) -> bool:
    """The grace period after an agent's last tab closed is over: offline, unless a tab or the agent came back."""
    return presence.offline_if_no_desk(agent_id, token=token)


@task
def release_after_offline(agent_id: int, service_id: int, token: str) -> int:
    """The agent stayed offline for the service's minutes: its rule returns their conversations to the queue."""
    from desk import actions

    return actions.release_after_offline(agent_id, service_id, token)


@periodic.every(60, "agents.sweep_presence")
def sweep_presence() -> int:
    """Tabs held by a process that stopped without closing them stop counting."""
    return len(presence.sweep_stale())
