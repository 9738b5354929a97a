"""Attempts of a stored reply as the system makes them: the first inline, the next ones by the task engine."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interactions.actions import outbound
from interactions.models import Message
from tests.conftest import make_tasks_due


def queued_attempts(message: Message) -> list[list]:
    """The arguments of the `send_reply` tasks waiting for `message`."""
    rows = DBTaskResult.objects.filter(status="READY", task_path="interactions.tasks.send_reply")
    return [row.args_kwargs["args"] for row in rows if row.args_kwargs["args"][0] == message.pk]


def attempt(message: Message, run_tasks, *, sweep: bool = False) -> Message:
    """The next attempt to send `message`; return it as stored afterwards.

    Never tried: the first attempt, inline (as `send_reply` makes it).
    Otherwise as if its backoff had passed: the queued `send_reply` task is
    run by the database worker's loop (`run_tasks`); with `sweep`, the
    periodic sweep first finds a reply whose task was lost.
    """
    current = Message.objects.get(pk=message.pk)
    if current.send_attempts == 0 and current.next_attempt_at is None:
        outbound.deliver(current, due_only=False)
    else:
        if current.next_attempt_at is not None:
            past = timezone.now() - outbound.SWEEP_GRACE - timedelta(seconds=1)
            Message.objects.filter(pk=message.pk).update(next_attempt_at=past)
        if sweep:
            outbound.sweep()
        make_tasks_due()
        run_tasks()
    return Message.objects.get(pk=message.pk)
