"""The engine's own tasks: the periodic tick, and its upkeep job."""

from __future__ import annotations

from engine import actions, periodic
from engine.compat import task


@task
def tick(name: str, token: str) -> bool:
    """One run of a periodic job (see engine.periodic)."""
    return periodic.run_tick(name, token)


@periodic.every(60, "engine.upkeep")
def upkeep() -> dict[str, int]:
    """Take back the tasks of lost workers; forget finished tasks past their keeping time."""
    if not actions.uses_database(tick):
        return {}
    counts = actions.recover_stalled()
    counts["pruned"] = actions.prune_finished()
    return counts
