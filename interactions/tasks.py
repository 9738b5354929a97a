"""Replies and timers on the task engine: retries, automatic messages, the first-response, idle and opening timers, the sweep."""

from __future__ import annotations

from engine import periodic
from engine.compat import task
from interactions.actions import automation, outbound


@task
def send_reply(message_id: int, attempt: int) -> bool:
    """Attempt `attempt` of one stored reply (claim-before-send and the ambiguous-timeout rule are in `deliver`)."""
    return outbound.attempt_number(message_id, attempt) is not None


@task
def send_automatic(message_id: int) -> bool:
    """The first attempt of an automatic message (services.messages), stored in the transaction that decided it."""
    return outbound.attempt_number(message_id, 1) is not None


@task
def send_queue_position(message_id: int) -> bool:
    """Tasks enqueued before automatic messages were one catalogue: the same first attempt."""
    return outbound.attempt_number(message_id, 1) is not None


@task
def reassign_if_unanswered(interaction_id: int, token: str) -> str:
    """Timer: the first-response target passed (a reply, transfer, requeue or close since: nothing)."""
    return automation.reassign_if_unanswered(interaction_id, token)


@task
def close_if_idle(interaction_id: int, token: str) -> str:
    """Timer: N hours without a customer message close the conversation (a later message: later)."""
    return automation.close_if_idle(interaction_id, token)


@task
def drain_at_opening(service_id: int, token: str) -> str:
    """Timer: the service opens; its queue, held outside business hours, is served."""
    return automation.drain_at_opening(service_id, token)


@task
def send_csat(interaction_id: int, token: str) -> bool:
    """The satisfaction survey of a closed interaction (a timer started by the close)."""
    from interactions import csat

    return csat.send_survey(interaction_id, token) is not None


@periodic.every(60, "interactions.sweep_outbound")
def sweep_outbound() -> int:
    """Replies due for an attempt whose task was lost (the engine down at enqueue, a process died)."""
    return outbound.sweep()
