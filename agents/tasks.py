"""Presence on the task engine: the grace timer of a closed tab, and the sweep of stopped processes."""

from __future__ import annotations

from agents import presence
from engine import periodic
from engine.compat import task


@task
def offline_after_grace(agent_id: int, token: str) -> bool:
    """The grace period after an agent's last tab closed is over: offline, unless a tab or the agent came back."""
    return presence.offline_if_no_desk(agent_id, token=token)


@periodic.every(60, "agents.sweep_presence")
def sweep_presence() -> int:
    """Tabs held by a process that stopped without closing them stop counting."""
    return len(presence.sweep_stale())
