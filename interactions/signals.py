"""Signals other apps listen to, so the core never imports them."""

from django.dispatch import Signal

# Sent inside the receiving transaction when a customer's first message opens
# a new interaction: interaction=, message=. Receivers must not raise for bad
# data; an exception rolls the message back (and Twilio gets a 500 and retries).
interaction_opened = Signal()

# Sent by `interactions.notify.push` for every core event (event=, the JSON
# pushed to desks), synchronously and inside the transaction that made the
# change, so a receiver's writes (the outbound webhooks' outbox) commit or
# roll back with it. Pushes themselves still go out only after the commit.
core_event = Signal()
