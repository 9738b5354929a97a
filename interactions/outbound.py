"""Getting stored replies out: a first attempt at once, retries with backoff.

`send_reply` stores the message (the truth) and then attempts delivery.
Transient failures are retried in a background thread of this process
while it lives; the `process_outbound` management command does the same
for every process (and picks up what a crashed process left behind). Both
go through `actions.deliver`, which claims each attempt on the row, so the
two never send the same message twice. See `actions.deliver` for why an
ambiguous timeout is never retried.
"""

from __future__ import annotations

import logging
import threading
import time

from django.utils import timezone

from interactions import actions, background
from interactions.models import Message

logger = logging.getLogger(__name__)


def send_reply(interaction_id: int, *, sender, retry_in_background: bool = True, **content) -> Message:
    """Store an agent's reply, then make the first delivery attempt.

    Call outside any transaction (the message must be committed before
    Twilio can call back about it). Blocks for at most one Twilio call.
    """
    message = actions.create_reply(interaction_id, sender=sender, **content)
    message = attempt(message.pk, due_only=False)
    if retry_in_background and message.next_attempt_at is not None:
        retry_later(message.pk)
    return message


def attempt(message_id: int, *, now=None, due_only: bool = True) -> Message:
    return actions.deliver(Message.objects.get(pk=message_id), now=now, due_only=due_only)


def retry_later(message_id: int) -> threading.Thread:
    """Keep retrying one message in a daemon thread until it is sent, failed or ambiguous.

    A failure stops the thread (logged); `process_outbound` picks the message up.
    """
    return background.start(f"retry-{message_id}", lambda: _retry_loop(message_id))


def _retry_loop(message_id: int) -> None:
    while True:
        message = Message.objects.filter(pk=message_id).only("next_attempt_at").first()
        if message is None or message.next_attempt_at is None:
            return
        wait = (message.next_attempt_at - timezone.now()).total_seconds()
        if wait > 0:
            time.sleep(min(wait, 300))
        # Another worker may have sent it meanwhile: deliver() claims first.
        message = attempt(message_id)
        if message.next_attempt_at is None or message.status != "pending" or message.provider_id:
            return


def process_due(*, now=None) -> dict[str, int]:
    """One pass of the outbound worker: the retries that are due, and sends never tried."""
    attempted = 0
    for message_id in actions.due_for_delivery(now=now):
        attempt(message_id, now=now)
        attempted += 1
    return {"attempted": attempted}
