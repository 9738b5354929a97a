"""Live pushes to desks over the Channels layer, sent after the commit.

A push is a notification, never the truth: the database is. A push that
cannot be delivered (the layer is down) is logged and dropped, and the desk
resynchronises from the server when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

SUPERVISORS_GROUP = "supervisors"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def send_now(groups: list[str], event: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    # One hop to the event loop for all the groups: each async_to_sync call
    # from a sync view is a round trip between threads.
    async_to_sync(_send_all)(layer, groups, {"type": "desk.push", "event": event})


async def _send_all(layer, groups: list[str], message: dict) -> None:
    results = await asyncio.gather(*(layer.group_send(group, message) for group in groups), return_exceptions=True)
    for group, result in zip(groups, results, strict=True):
        if isinstance(result, Exception):  # the layer is down: the desk will resync
            logger.warning(
                "push of %s to %s failed; desks will resync", message["event"].get("type"), group, exc_info=result
            )


def push(event: dict, *, agent_ids: list[int | None] = (), supervisors: bool = True) -> None:
    """Send `event` to the agents' groups (and supervisors) once the transaction commits."""
    groups = [agent_group(agent_id) for agent_id in dict.fromkeys(agent_ids) if agent_id]
    if supervisors:
        groups.append(SUPERVISORS_GROUP)
    if groups:
        transaction.on_commit(lambda: send_now(groups, event))
