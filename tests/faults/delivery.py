"""One delivery attempt of a stored reply, as the retry worker makes it once it is due."""

from __future__ import annotations

import inspect
from datetime import timedelta

from django.utils import timezone

from interactions.actions.outbound import deliver
from interactions.models import Message


def attempt(message: Message) -> Message:
    """Attempt to send `message` (when its next attempt is due); return it as stored afterwards."""
    current = Message.objects.select_related("interaction__service", "interaction__contact").get(pk=message.pk)
    kwargs = {}
    if "now" in inspect.signature(deliver).parameters and current.next_attempt_at:
        kwargs["now"] = max(timezone.now(), current.next_attempt_at + timedelta(seconds=1))
    deliver(current, **kwargs)
    return Message.objects.get(pk=message.pk)
