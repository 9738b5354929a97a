"""Replies on the task engine: retries of a reply's delivery, the automatic queue-position reply, the sweep."""

from __future__ import annotations

from engine import periodic
from engine.compat import task
from interactions.actions import outbound


@task
def send_reply(message_id: int, attempt: int) -> bool:
    """Attempt `attempt` of one stored reply (claim-before-send and the ambiguous-timeout rule are in `deliver`)."""
    return outbound.attempt_number(message_id, attempt) is not None


@task
def send_queue_position(message_id: int) -> bool:
    """The first attempt of the automatic queue-position reply, stored in the webhook's transaction."""
    return outbound.attempt_number(message_id, 1) is not None


@task
def send_automatic(message_id: int) -> bool:
    """The first attempt of an automatic message stored in a webhook's transaction (the survey's thanks)."""
    return outbound.attempt_number(message_id, 1) is not None


@task
def send_csat(interaction_id: int, token: str) -> bool:
    """The satisfaction survey of a closed interaction (a timer started by the close)."""
    from interactions import csat

    return csat.send_survey(interaction_id, token) is not None


@periodic.every(60, "interactions.sweep_outbound")
def sweep_outbound() -> int:
    """Replies due for an attempt whose task was lost (the engine down at enqueue, a process died)."""
    return outbound.sweep()
