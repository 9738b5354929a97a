"""Which agent gets which interaction: a pure decision over plain data.

No database here. `interactions.actions` loads and locks the rows, calls
these functions and applies the result in the same transaction, which is
what keeps Max interactions true across concurrent webhooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime


@dataclass(frozen=True)
class AgentLoad:
    """An agent who may take interactions, as routing sees them."""

    agent_id: int
    open_interactions: int
    max_interactions: int
    # None: never assigned, so idle longest of all.
    last_assignment_at: datetime | None = None
    service_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def free(self) -> int:
        return max(0, self.max_interactions - self.open_interactions)


@dataclass(frozen=True)
class QueuedItem:
    interaction_id: int
    service_id: int
    queued_at: datetime
    # The place in its service's queue (Interaction.queue_order); 0 when unknown.
    order: int = 0


@dataclass(frozen=True)
class Decision:
    agent_id: int
    reason: str


def _idle_key(agent: AgentLoad) -> tuple[int, float]:
    # Never assigned sorts first; then the oldest assignment.
    if agent.last_assignment_at is None:
        return (0, 0.0)
    return (1, agent.last_assignment_at.timestamp())


def choose_agent(agents: Iterable[AgentLoad]) -> Decision | None:
    """The agent for one new interaction, or None when everyone is at their cap.

    The caller passes only agents who are eligible (active, channel enabled,
    serving the service, online). Among those under their Max interactions:
    the least loaded; then the one idle longest; then the lowest id, so the
    choice is deterministic.
    """
    candidates = [a for a in agents if a.open_interactions < a.max_interactions]
    if not candidates:
        return None
    best = min(candidates, key=lambda a: (a.open_interactions, *_idle_key(a), a.agent_id))
    idle = (
        "never assigned"
        if best.last_assignment_at is None
        else f"last assigned {best.last_assignment_at:%Y-%m-%d %H:%M:%S}"
    )
    reason = (
        f"least loaded of {len(candidates)} available agent(s): "
        f"{best.open_interactions} of {best.max_interactions} open; {idle}"
    )
    return Decision(agent_id=best.agent_id, reason=reason)


def in_service_order(queue: Sequence[QueuedItem]) -> list[QueuedItem]:
    """Each service's queue in its own order (queue_order), the services merged by waiting time.

    Within a service the order values decide (they were given under the
    service's lock, in arrival order); between services, whose counters are
    not comparable, the head that has waited longest goes first.
    """
    heads: dict[int, list[QueuedItem]] = {}
    for item in sorted(queue, key=lambda q: (q.order, q.queued_at, q.interaction_id)):
        heads.setdefault(item.service_id, []).append(item)
    merged: list[QueuedItem] = []
    while heads:
        service_id = min(heads, key=lambda s: (heads[s][0].queued_at, heads[s][0].interaction_id))
        merged.append(heads[service_id].pop(0))
        if not heads[service_id]:
            del heads[service_id]
    return merged


def plan_assignments(
    queue: Sequence[QueuedItem], agents: Iterable[AgentLoad], now: datetime
) -> list[tuple[int, Decision]]:
    """Assign queued interactions oldest first while capacity lasts.

    Returns (interaction_id, decision) pairs. Each agent's load grows with
    every assignment in the plan, so nobody passes their cap. An interaction
    no agent of its service can take stays queued, and younger interactions
    of other services may still be served.
    """
    loads = {a.agent_id: a for a in agents}
    plan: list[tuple[int, Decision]] = []
    for item in in_service_order(queue):
        serving = [a for a in loads.values() if item.service_id in a.service_ids]
        decision = choose_agent(serving)
        if decision is None:
            continue
        plan.append((item.interaction_id, decision))
        chosen = loads[decision.agent_id]
        loads[decision.agent_id] = replace(
            chosen, open_interactions=chosen.open_interactions + 1, last_assignment_at=now
        )
        if not any(a.free for a in loads.values()):
            break
    return plan
