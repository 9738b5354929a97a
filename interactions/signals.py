"""Signals other apps listen to, so the core never imports them."""

from django.dispatch import Signal

# Sent inside the receiving transaction when a customer's first message opens
# a new interaction: interaction=, message=. Receivers must not raise for bad
# data; an exception rolls the message back (and Twilio gets a 500 and retries).
interaction_opened = Signal()
