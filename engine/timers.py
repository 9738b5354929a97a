"""Timers: "do X at T unless the state changed", as tasks scheduled by events.

An event (a tab closed, a conversation assigned, closed, …) schedules a
task for later with the ids it concerns and a *token* of the state it saw.
When the task runs it re-reads that state under a lock and acts only if
the token still matches: a timer never acts on something that moved on.
Nothing is cancelled: a timer whose moment has passed simply finds a
different token and returns. Timers live in the database (or Redis), so a
restart, a deploy or a killed process loses none of them.

    # desk/tasks.py
    @task
    def offline_after_grace(agent_id: int, token: str) -> bool:
        with transaction.atomic():
            agent = AgentProfile.objects.select_for_update().get(pk=agent_id)
            if timers.moved_on(token, agent.presence_changed_at):
                return False            # the agent changed presence since
            ...                         # act

    # where the event happens
    timers.start(offline_after_grace, after=grace, agent_id=agent.pk,
                 token=timers.token(agent.presence_changed_at))

Choose as token the values that any relevant change alters (a timestamp
such as `presence_changed_at`, a state and its change time, a counter). A
timer task must be safe to run twice: a worker lost mid-task has its task
run again (engine.actions.recover_stalled).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.utils import timezone

from engine import actions
from engine.compat import Task


def token(*values: object) -> str:
    """A short stable text for the state values a timer depends on."""
    text = "\x1f".join(
        "" if value is None else (value.isoformat() if isinstance(value, datetime) else str(value))
        for value in values
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def moved_on(seen: str, *current: object) -> bool:
    """True when the state is no longer the one the timer was started for."""
    return token(*current) != seen


def start(
    task: Task,
    *,
    after: float | timedelta | None = None,
    at: datetime | None = None,
    token: str,
    **ids,
) -> None:
    """Run `task(**ids, token=token)` at `at` (or `after` seconds from now), bound to the current transaction."""
    if at is None:
        delay = after if isinstance(after, timedelta) else timedelta(seconds=after or 0)
        at = timezone.now() + delay
    actions.enqueue(task, run_after=at, token=token, **ids)
