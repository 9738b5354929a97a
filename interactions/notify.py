"""Live pushes to desks over the Channels layer, sent after the commit.

A push is a notification, never the truth: the database is. A push that
cannot be delivered (the layer is down) is logged and dropped, and the desk
resynchronises from the server when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# A frozen Redis (accepting connections, never answering) would hold every
# webhook for as long as redis-py waits (about 5 s per push, 20 s for one
# message), past Twilio's 15 s limit. Pushes are bounded, and after a failure
# this process skips pushes for a short pause instead of waiting again.
_paused_until = 0.0

SUPERVISORS_GROUP = "supervisors"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


async def _send_all(layer, groups: list[str], event: dict, timeout: float) -> list:
    sends = [layer.group_send(group, {"type": "desk.push", "event": event}) for group in groups]
    return await asyncio.wait_for(asyncio.gather(*sends, return_exceptions=True), timeout)


def send_now(groups: list[str], event: dict) -> None:
    global _paused_until
    layer = get_channel_layer()
    if layer is None:
        return
    if time.monotonic() < _paused_until:
        logger.warning("channel layer unavailable: push of %s dropped; desks will resync", event.get("type"))
        return
    try:
        results = async_to_sync(_send_all)(layer, groups, event, settings.OCC_PUSH_TIMEOUT_SECONDS)
    except Exception as exc:  # timed out, or the layer is down: the desk will resync
        results = [exc]
    failures = [result for result in results if isinstance(result, BaseException)]
    # Only the layer's own failures pause pushes; a caller's mistake (e.g. called
    # from inside an event loop: RuntimeError) says nothing about Redis.
    if any(not isinstance(failure, RuntimeError) for failure in failures):
        _paused_until = time.monotonic() + settings.OCC_PUSH_PAUSE_SECONDS
    if failures:
        logger.warning(
            "push of %s to %s failed (%s); desks will resync",
            event.get("type"),
            ", ".join(groups),
            type(failures[0]).__name__,
        )


def push(event: dict, *, agent_ids: list[int | None] = (), supervisors: bool = True) -> None:
    """Send `event` to the agents' groups (and supervisors) once the transaction commits."""
    groups = [agent_group(agent_id) for agent_id in dict.fromkeys(agent_ids) if agent_id]
    if supervisors:
        groups.append(SUPERVISORS_GROUP)
    if groups:
        transaction.on_commit(lambda: send_now(groups, event))
