"""The routing decision applied: agents' rows locked and counted, queues drained oldest first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from agents.models import AgentProfile, Presence
from interactions import selectors
from interactions.actions import lifecycle
from interactions.actions.retry import with_retry
from interactions.models import AssignmentEvent, Interaction, InteractionState
from interactions.routing import AgentLoad, QueuedItem, plan_assignments
from occ.lib import channels
from occ.lib.compiled_query import CompiledQuery
from services import hours
from services.models import Service


def eligible_agents_for_update(service_ids: Iterable[int], channel: str | None = None):
    """Agents who can take new interactions of these services, rows locked.

    Of `channel` (its adapter's agent-profile flag); by default the first registered.
    """
    return (
        # FOR NO KEY UPDATE: serialises every decision about these agents'
        # load, yet lets other transactions insert rows pointing at them
        # (messages, events) without waiting.
        AgentProfile.objects.select_for_update(of=("self",), no_key=True)
        .filter(
            pk__in=selectors.serving(service_ids),
            user__is_active=True,
            chat_enabled=True,
            presence=Presence.ONLINE,
            # The agent-profile flag that enables the channel (WhatsApp: whatsapp_enabled).
            **{channels.adapter_for(channel).agent_flag: True},
        )
        .order_by("pk")
    )


def _round_up(n: int) -> int:
    """The next power of two: few distinct LIMITs, so few compiled queries."""
    return 1 << max(0, n - 1).bit_length()


# The reads of every routing decision, compiled once (see occ.lib.compiled_query):
# a new conversation runs them all, and compiling them cost more than
# running them.
#   - the eligible agents of these services, locked, with what routing reads;
_LOCKED_AGENTS = CompiledQuery(
    lambda service_ids: eligible_agents_for_update(service_ids).values_list(
        "pk", "max_interactions", "last_assignment_at"
    )
)
#   - the open interactions of every agent of these services (a subquery,
#     not a list of hundreds of ids to send);
_OPEN_COUNTS = CompiledQuery(
    lambda service_ids: selectors.open_counts_query(agent_id__in=selectors.serving(service_ids))
)
#   - the oldest waiting interactions of one service, locked.
_LOCKED_QUEUE = CompiledQuery(
    lambda service_id, limit: (
        Interaction.objects.select_for_update(of=("self",))
        .filter(service_id=service_id, state=InteractionState.QUEUED)
        .order_by("queue_order", "pk")
        .values_list("pk", "queued_at", "queue_order")[:limit]
    )
)


def lock_services(service_ids: Iterable[int]) -> list[Service]:
    """The services' rows, locked in id order: every change of their queues holds these locks.

    Arrivals take a place (`take_queue_place`), drains assign from the
    front, closes, transfers and requeues (lifecycle) take the same lock,
    so a position counted under it is the one the customer really holds.
    FOR NO KEY UPDATE: new interactions may still reference the service.
    """
    return list(
        Service.objects.select_for_update(no_key=True)
        .filter(pk__in=list(service_ids))
        .order_by("pk")
    )


def take_queue_place(interaction: Interaction) -> int:
    """Number a new interaction in its service's queue, under the service's row lock (held to the commit).

    The UPDATE of the service's counter takes the lock, so concurrent
    arrivals of one service are numbered one after the other, in the order
    they reach routing, whichever process they are in; the lock is held
    until the commit, so the next one counts this one as committed.
    """
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        # One statement on PostgreSQL and SQLite (3.35+): the lock and the number.
        cursor.execute(
            f"UPDATE {qn(Service._meta.db_table)} SET {qn('queue_counter')} = {qn('queue_counter')} + 1"
            f" WHERE {qn('id')} = %s RETURNING {qn('queue_counter')}",
            [interaction.service_id],
        )
        (order,) = cursor.fetchone()
    Interaction.objects.filter(pk=interaction.pk).update(queue_order=order)
    interaction.queue_order = order
    return order


def drain(
    service_ids: list[int],
    now: datetime,
    known: Iterable[Interaction] = (),
    *,
    locked: Iterable[Service] | None = None,
) -> list[Interaction]:
    """Assign queued interactions of these services, oldest first. Call inside a transaction.

    `known`: interactions the caller has loaded already (a new one), so
    they are not read again. `locked`: these services' rows, already locked
    by the caller (`take_queue_place`); else they are locked here.
    """
    if not service_ids:
        return []
    services = list(locked) if locked is not None else lock_services(service_ids)
    # Outside business hours a service's queue waits for the opening.
    service_ids = [service.pk for service in services if hours.is_open(service, now)]
    if not service_ids:
        return []
    agents = _LOCKED_AGENTS.rows(service_ids)
    if not agents:
        return []
    agent_ids = [agent_id for agent_id, _max, _last in agents]
    # Counted in a statement of its own, after the locks are held: a count
    # inside the locking SELECT would use the snapshot taken before waiting
    # (READ COMMITTED) and miss assignments just committed by the lock holder.
    # Counted for every agent of these services; only the locked agents'
    # counts are used.
    counts = dict(_OPEN_COUNTS.rows(service_ids))
    served: dict[int, set[int]] = defaultdict(set)
    if len(service_ids) == 1:
        # The common case (a new message): every agent found serves it.
        for agent_id in agent_ids:
            served[agent_id].add(service_ids[0])
    else:
        for row in AgentProfile.services.through.objects.filter(
            agentprofile_id__in=agent_ids, service_id__in=service_ids
        ).values("agentprofile_id", "service_id"):
            served[row["agentprofile_id"]].add(row["service_id"])
    loads = [
        AgentLoad(
            agent_id=agent_id,
            open_interactions=counts.get(agent_id, 0),
            max_interactions=max_interactions,
            last_assignment_at=last_assignment_at,
            service_ids=frozenset(served[agent_id]),
        )
        for agent_id, max_interactions, last_assignment_at in agents
    ]
    queue: list[QueuedItem] = []
    for service_id in service_ids:
        capacity = sum(load.free for load in loads if service_id in load.service_ids)
        if capacity <= 0:
            continue
        # Only as many as can be served, the oldest first (a few more are
        # locked when capacity is not a power of two; they stay queued).
        rows = _LOCKED_QUEUE.rows(service_id, limit=_round_up(capacity))[:capacity]
        queue.extend(QueuedItem(pk, service_id, queued_at, order) for pk, queued_at, order in rows)
    plan = plan_assignments(queue, loads, now)
    if not plan:
        return []
    waiting = {interaction.pk: interaction for interaction in known}
    missing = [
        interaction_id for interaction_id, _decision in plan if interaction_id not in waiting
    ]
    if missing:
        waiting.update(Interaction.objects.select_related("service", "contact").in_bulk(missing))
    assigned = []
    for interaction_id, decision in plan:
        interaction = waiting[interaction_id]
        lifecycle.transition(
            interaction,
            AssignmentEvent.Kind.ASSIGNED,
            now=now,
            agent_id=decision.agent_id,
            reason=decision.reason,
        )
        assigned.append(interaction)
    return assigned


def drain_queue(
    service_ids: Iterable[int] | None = None, *, now: datetime | None = None
) -> list[Interaction]:
    """Give waiting interactions to agents with free capacity, oldest first.

    Called whenever capacity may have appeared: an interaction closed or
    transferred, an agent coming online, Max interactions raised, an agent
    added to a service.
    """
    now = now or timezone.now()
    if service_ids is None:
        service_ids = (
            Interaction.objects.filter(state=InteractionState.QUEUED)
            .values_list("service_id", flat=True)
            .distinct()
        )
    ids = sorted(set(service_ids))

    def attempt() -> list[Interaction]:
        with transaction.atomic():
            return drain(ids, now)

    return with_retry(attempt)
