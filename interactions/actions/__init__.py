"""Business operations on interactions, one module per concern.

- `inbound`: a customer's message is stored exactly once and its
  interaction found or opened (`receive_inbound`).
- `assignment`: the routing decision applied to locked rows; queues drained.
- `lifecycle`: close (with a close reason and a wrap-up note), transfer (to
  an agent, another service's queue or back to the queue, with a note) and
  requeue, through one transition helper.
- `labels`: labels put on and taken off a conversation.
- `automation`: automatic messages, business hours and the timers of a
  conversation (first-response target, idle close, a service's opening).
- `outbound`: replies stored, sent through the channel, retried; provider
  status callbacks.

Every operation that changes who holds an interaction locks the agents'
rows (`select_for_update`, ordered by id so concurrent transactions never
deadlock on them), counts their open interactions and applies the pure
decision of `interactions.routing` in the same transaction. That is what
keeps Max interactions true when webhooks arrive at the same moment in
several processes. Pushes to desks are sent after the commit.

Lock order, the same in every operation so none can deadlock another:
contact → service → its interaction → agents (by id) → queued
interactions. The service's row is locked by whatever changes its queue
(an arrival's place, routing, a close, transfer or requeue, the timers),
so a queue position counted under it is true (docs/automation.md). Locks
name their table (`of=("self",)`): a `select_related` row is read, never
locked, as locking a contact from the interaction's side inverts the order.
PostgreSQL may still pick a deadlock victim in corner cases; those
transactions are run again (`retry.with_retry`).

Callers import the module of the concern (`from interactions.actions import
outbound`); this package exports only the error every operation raises.
"""

from __future__ import annotations


class ActionError(Exception):
    """An operation that cannot be done, with a message for the user."""
