"""Live pushes to desks over the Channels layer, sent after the commit (by desk.pushes).

A push is a notification, never the truth: the database is. A push that
cannot be delivered (the layer is down) is logged and dropped, and the desk
resynchronises from the server when it reconnects.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings

logger = logging.getLogger(__name__)

# A frozen Redis (accepting connections, never answering) would hold every
# webhook for as long as redis-py waits (about 5 s per push, 20 s for one
# message), past Twilio's 15 s limit. Pushes are bounded, and after a failure
# this process skips pushes for a short pause instead of waiting again.
_paused_until = 0.0

SUPERVISORS_GROUP = "supervisors"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def watch_group(interaction_id: int) -> str:
    """The supervisors' tabs watching one conversation (the desk's `watch` command)."""
    return f"watch.{interaction_id}"


async def _send_all(layer, groups: list[str], event: dict, timeout: float) -> list:
    sends = [layer.group_send(group, {"type": "desk.push", "event": event}) for group in groups]
    return await asyncio.wait_for(asyncio.gather(*sends, return_exceptions=True), timeout)


async def send(groups: list[str], event: dict) -> None:
    """Hand one push to the channel layer, bounded in time; a failure pauses pushes."""
    global _paused_until
    layer = get_channel_layer()
    if layer is None:
        return
    if time.monotonic() < _paused_until:
        logger.warning(
            "channel layer unavailable: push of %s dropped; desks will resync", event.get("type")
        )
        return
    try:
        results = await _send_all(layer, groups, event, settings.OCC_PUSH_TIMEOUT_SECONDS)
    except Exception as exc:  # timed out, or the layer is down: the desk will resync
        results = [exc]
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        _paused_until = time.monotonic() + settings.OCC_PUSH_PAUSE_SECONDS
        logger.warning(
            "push of %s to %s failed (%s); desks will resync",
            event.get("type"),
            ", ".join(groups),
            type(failures[0]).__name__,
        )


def send_now(groups: list[str], event: dict) -> None:
    """`send` from synchronous code (a thread with no running event loop)."""
    try:
        async_to_sync(send)(groups, event)
    except RuntimeError as exc:
        # A caller's mistake (called from inside an event loop) says nothing
        # about the layer: logged, and pushes are not paused.
        logger.warning("push of %s not sent (%s); desks will resync", event.get("type"), exc)


# Set by an async view around its database work (see `collected`).
_collector: ContextVar[list | None] = ContextVar("occ_pushes_collected", default=None)


@contextmanager
def collected():
    """Keep the pushes committed inside this block, for the caller to `send_collected`.

    An async view runs its database work in a thread: sending from there
    would hop back to the event loop and wait for it, once per push. Inside
    this block the committed pushes are kept instead, in order, and the view
    sends them from the event loop once the work returns.
    """
    pushes: list[tuple[list[str], dict]] = []
    token = _collector.set(pushes)
    try:
        yield pushes
    finally:
        _collector.reset(token)


async def send_collected(pushes: list[tuple[list[str], dict]]) -> None:
    for groups, event in pushes:
        await send(groups, event)


def _deliver(groups: list[str], event: dict) -> None:
    pushes = _collector.get()
    if pushes is not None:
        pushes.append((groups, event))
    else:
        send_now(groups, event)


def push(
    event: dict,
    *,
    agent_ids: Sequence[int | None] = (),
    supervisors: bool = True,
    watched: int | None = None,
) -> None:
    """Send `event` to the agents' groups (and supervisors, and the tabs watching interaction `watched`).

    Called by the desk's subscribers of the core's events (desk.pushes),
    which run after the commit: a desk never sees what was rolled back.
    """
    groups = [agent_group(agent_id) for agent_id in dict.fromkeys(agent_ids) if agent_id]
    if supervisors:
        groups.append(SUPERVISORS_GROUP)
    if watched:
        groups.append(watch_group(watched))
    if groups:
        _deliver(groups, event)


def push_message(kind: str, message, agent_id: int | None, *, watched: bool = False) -> None:
    """A message event, for the desk of the agent holding the conversation and the supervisors watching it.

    The watchers' group only when `watched` (Interaction.is_watched): a push to
    a group nobody listens to is still one publish, which most messages would
    pay for nothing (a fifth of a message's cost in the worker).

    Not for the supervisors' group: their view shows queues, loads and conversations,
    which a message does not change (it refreshes every 30 s for waiting
    times), and each push would make every supervisor tab reload its whole
    snapshot, once per message of a burst.
    """
    from interactions.payloads import message_dict

    push(
        {"type": kind, "interaction_id": message.interaction_id, "message": message_dict(message)},
        agent_ids=[agent_id],
        supervisors=False,
        watched=message.interaction_id if watched else None,
    )
