"""Typed domain events: what changed in the core, emitted once per change.

An action calls `emit(event)` at the moment of the change, inside its
transaction. Apps subscribe from their `ready()`:

- `subscribe(EventType, handler)`: the handler runs after the commit (a
  rolled-back change emits nothing), like zulip's `send_event_on_commit`.
  The desk's pushes (`desk.pushes`) are such subscribers.
- `subscribe(EventType, handler, durable=True)`: the handler runs at once,
  inside the transaction, because it writes rows that must commit or roll
  back with the change: the outbound webhooks' outbox (`hooks.outbox`, so a
  committed change never loses its webhook) and the widgets' attribution.
  A durable handler must not raise for bad data (it would roll the change
  back); it protects itself with a savepoint if it can fail.

The events carry the rows as the action holds them; a subscriber that
needs more reads it itself.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from django.db import transaction

from interactions.models import Contact, Interaction, Label, Message, Note

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """A change in the core."""


# --- messages ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MessageReceived(Event):
    """A customer's message was stored (once per provider id)."""

    interaction: Interaction
    message: Message


@dataclass(frozen=True)
class ReplyStored(Event):
    """An outbound message was stored, pending: nothing has been sent yet."""

    interaction: Interaction
    message: Message


@dataclass(frozen=True)
class MessageStatusEvent(Event):
    """What every change of an outbound message's status carries (subscribed to by its subclasses)."""

    message: Message
    # The agent holding its conversation, and whether a supervisor's tab may be watching it
    # (Interaction.is_watched): whom the desk pushes it to.
    agent_id: int | None
    watched: bool = False


@dataclass(frozen=True)
class MessageSent(MessageStatusEvent):
    """The channel accepted an outbound message (it left `pending`; Twilio returned its SID)."""


@dataclass(frozen=True)
class MessageFailed(MessageStatusEvent):
    """An outbound message failed: the channel refused it, gave up on it, or reported it undelivered."""


@dataclass(frozen=True)
class MessageStatusChanged(MessageStatusEvent):
    """A later status of an accepted message (sent, delivered, read), or a late error code."""


@dataclass(frozen=True)
class MessageRetrying(MessageStatusEvent):
    """An attempt to send did not get through; the next one is due at `message.next_attempt_at`."""


# --- interactions -------------------------------------------------------------------------


@dataclass(frozen=True)
class InteractionOpened(Event):
    """A customer's first message opened a new interaction (emitted before it is routed)."""

    interaction: Interaction
    message: Message


@dataclass(frozen=True)
class InteractionQueued(Event):
    """A new interaction found no free agent and waits at `position` in its service's queue."""

    interaction: Interaction
    position: int


@dataclass(frozen=True)
class InteractionAssigned(Event):
    """Routing gave a queued interaction to an agent."""

    interaction: Interaction


@dataclass(frozen=True)
class InteractionTransferred(Event):
    """An agent or an administrator handed the interaction to another agent."""

    interaction: Interaction
    from_agent_id: int | None


@dataclass(frozen=True)
class InteractionRequeued(Event):
    """The interaction went back to a queue: its own, keeping its place (a transfer to the queue, a
    deactivation), or another service's, at the end (`from_service_id` is then the service it left)."""

    interaction: Interaction
    from_agent_id: int | None
    from_service_id: int | None = None


@dataclass(frozen=True)
class InteractionReopened(Event):
    """A closed interaction was opened again by `actor_id` (then assigned to them or queued)."""

    interaction: Interaction
    actor_id: int | None


@dataclass(frozen=True)
class InteractionLabelsChanged(Event):
    """Labels were put on or taken off the interaction (`labels` is the whole set now)."""

    interaction: Interaction
    labels: tuple[Label, ...]
    added: tuple[Label, ...]
    removed: tuple[Label, ...]
    actor_id: int | None


@dataclass(frozen=True)
class InteractionClosed(Event):
    interaction: Interaction
    agent_id: int | None


# --- notes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteAdded(Event):
    """An agent or supervisor added a private note: never a message, never sent to the channel.

    No outbound webhook maps it (hooks.schema): a note never leaves OCC.
    `mentioned_agent_ids`: the agent profiles the note mentions (`@username`).
    """

    interaction: Interaction
    note: Note
    author_agent_id: int | None
    mentioned_agent_ids: tuple[int, ...]


# --- contacts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactsMerged(Event):
    """Two contacts were the same person: `merged` (now deleted) went into `contact`.

    `merged` is the deleted row as it was (its pk kept); `moved` counts the
    interactions that now belong to `contact`.
    """

    contact: Contact
    merged: Contact
    moved: int
    actor: object = None


# --- agents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentPresenceChanged(Event):
    agent_id: int
    presence: str


# --- emitting ---------------------------------------------------------------------------

Handler = Callable[[Event], object]
E = TypeVar("E", bound=Event)
_durable: dict[type[Event], list[Handler]] = defaultdict(list)
_after_commit: dict[type[Event], list[Handler]] = defaultdict(list)


def subscribe(
    event_type: type[E], handler: Callable[[E], object], *, durable: bool = False
) -> None:
    """Call `handler(event)` for every `event_type` emitted (once, however often subscribed)."""
    handlers = (_durable if durable else _after_commit)[event_type]
    if handler not in handlers:
        handlers.append(cast(Handler, handler))  # called only with event_type's events


def emit(event: Event) -> None:
    """Announce one change: durable subscribers now, the others once the transaction commits."""
    event_type = type(event)
    for handler in _durable.get(event_type, ()):
        handler(event)
    handlers = _after_commit.get(event_type)
    if handlers:
        transaction.on_commit(lambda: _run_all(handlers, event))


def _run_all(handlers: list[Handler], event: Event) -> None:
    # The change is committed whatever a subscriber does: a failure is
    # logged and the other subscribers still run.
    for handler in handlers:
        try:
            handler(event)
        except Exception:
            logger.exception(
                "subscriber %s of %s failed",
                getattr(handler, "__qualname__", handler),
                type(event).__name__,
            )
