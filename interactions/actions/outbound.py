"""Replies: stored first, sent through the channel's transport, retried; provider status callbacks.

`send_reply` stores the message (the truth) and makes the first delivery
attempt inline (the agent waits for at most one call to the provider).
A transient failure enqueues the next attempt on the task engine
(`interactions.tasks.send_reply`, at `next_attempt_at`) in the transaction
that records it; the `interactions.sweep_outbound` periodic job finds a
reply whose task was lost. Every attempt goes through `deliver`, which
claims it on the row, so no two workers send the same message; see the
comment above `SEND_LEASE` for why an ambiguous timeout is never retried
blindly.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from engine.actions import enqueue
from interactions import events
from interactions.actions import ActionError
from interactions.fastpaths.record_status_callback import advance_status
from interactions.models import Direction, Interaction, Message, MessageStatus
from interactions.selectors import free_text_allowed
from interactions.statuses import should_advance
from occ.lib import channels
from occ.lib.channels import SendError

logger = logging.getLogger(__name__)


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def render_template(body: str, variables: dict) -> str:
    """A template's text with its `{{n}}` placeholders filled in."""
    return _PLACEHOLDER.sub(lambda m: str(variables.get(m.group(1)) or m.group(0)), body)


def create_reply(
    interaction_id: int,
    *,
    sender,
    body: str = "",
    attachments: list[dict] | None = None,
    template_id: str = "",
    template_variables: dict | None = None,
    now: datetime | None = None,
    automatic: str = "",
    allow_closed: bool = False,
) -> Message:
    """Store an agent's reply (status pending) before anything is sent.

    `allow_closed`: an automatic message of a closed interaction (the
    satisfaction survey and its thanks, `interactions.csat`).

    Free text needs the channel's customer-service window open (WhatsApp:
    24 h after the customer's last message); outside it only a template.
    `automatic`: the kind of an automatic message (services.messages), kept
    in `extras`; it is not the agent's first reply.
    """
    now = now or timezone.now()
    body = (body or "").strip()
    if not body and not attachments and not template_id:
        raise ActionError("Write a message, attach a file or choose a template.")
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update(of=("self",))
            .select_related("service", "contact")
            .get(pk=interaction_id)
        )
        if not interaction.is_open and not allow_closed:
            raise ActionError("This interaction is closed.")
        adapter = channels.adapter_for(interaction.channel)
        extras: dict = {}
        if template_id:
            template = next((t for t in adapter.templates() if t["sid"] == template_id), None)
            if template is None:
                raise ActionError("That template is not among the approved ones.")
            template_variables = {
                str(k): str(v).strip() for k, v in (template_variables or {}).items()
            }
            missing = [n for n in template["variables"] if not template_variables.get(n)]
            if missing:
                raise ActionError(
                    "Fill in every variable of the template: "
                    + ", ".join("{{" + n + "}}" for n in missing)
                )
            # What the customer reads, for the history (the provider renders it itself).
            extras["template"] = {
                "name": template["name"],
                "text": render_template(template.get("body", ""), template_variables),
                "buttons": [b.get("title", "") for b in template.get("buttons", [])],
            }
        if not template_id and not free_text_allowed(interaction, now):
            raise ActionError(adapter.window_closed_error)
        message = Message.objects.create(
            interaction=interaction,
            direction=Direction.OUTBOUND,
            body=body,
            attachments=attachments or [],
            template_id=template_id,
            template_variables=template_variables or {},
            extras={**extras, "automatic": automatic} if automatic else extras,
            status=MessageStatus.PENDING,
            sender=sender,
            created_at=now,
            status_updated_at=now,
        )
        if interaction.first_reply_at is None and not automatic:
            interaction.first_reply_at = now
        interaction.version += 1
        interaction.save(update_fields=["first_reply_at", "version"])
        events.emit(events.ReplyStored(interaction, message))
    return message


def record_status_callback(
    message_id: int | None,
    *,
    provider_id: str,
    status: str,
    error_code: str = "",
    error_message: str = "",
) -> bool:
    """A provider's status callback for our message (found by our id, else by its id); True if it moved."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            # The common case, a later status: one statement.
            moved = advance_status(
                message_id, provider_id, status, error_code, error_message, timezone.now()
            )
            if moved is not None:
                message, agent_id, watched = moved
                events.emit(status_event(message.previous_status, message, agent_id, watched))  # type: ignore[attr-defined]  # set by advance_status
                return True
    return _general_status_callback(
        message_id,
        provider_id=provider_id,
        status=status,
        error_code=error_code,
        error_message=error_message,
    )


def _general_status_callback(
    message_id: int | None,
    *,
    provider_id: str,
    status: str,
    error_code: str = "",
    error_message: str = "",
) -> bool:
    """`record_status_callback` on any database, in several statements."""
    message = None
    if message_id is not None:
        message = Message.objects.filter(pk=message_id, direction=Direction.OUTBOUND).first()
    if message is None:
        message = Message.objects.filter(
            provider_id=provider_id, direction=Direction.OUTBOUND
        ).first()
    if message is None or (message.provider_id and message.provider_id != provider_id):
        logger.warning("status callback %s for unknown message %s", status, provider_id)
        return False
    # A late or repeated status (the three callbacks of a reply often race):
    # status, SID and error code only ever move one way, so what this
    # unlocked read says would not change cannot change later either.
    if not (
        should_advance(message.status, status)
        or (provider_id and not message.provider_id)
        or (error_code and not message.error_code)
    ):
        return False
    return record_status(
        message, status, provider_id=provider_id, error_code=error_code, error_message=error_message
    )


FAILED_STATUSES = {MessageStatus.FAILED, MessageStatus.UNDELIVERED}


def status_event(
    previous: str, message: Message, agent_id: int | None, watched: bool = False
) -> events.Event:
    """The one event of a status change: failed, accepted by the channel (left pending), or a later status."""
    if message.status in FAILED_STATUSES and previous not in FAILED_STATUSES:
        return events.MessageFailed(message, agent_id, watched)
    if previous == MessageStatus.PENDING and message.status != MessageStatus.PENDING:
        return events.MessageSent(message, agent_id, watched)
    return events.MessageStatusChanged(message, agent_id, watched)


def record_status(
    message: Message,
    status: str,
    *,
    provider_id: str = "",
    error_code: str = "",
    error_message: str = "",
) -> bool:
    """Move a message's status forward (never back); True when it changed."""
    with transaction.atomic():
        locked = (
            Message.objects.select_for_update(of=("self",))
            .select_related("interaction")
            .get(pk=message.pk)
        )
        previous = locked.status
        fields = []
        if provider_id and not locked.provider_id:
            locked.provider_id = provider_id
            fields.append("provider_id")
        advanced = should_advance(locked.status, status)
        if advanced:
            locked.status = status
            locked.status_updated_at = timezone.now()
            fields += ["status", "status_updated_at"]
        if error_code and (advanced or not locked.error_code):
            locked.error_code = str(error_code)[:16]
            locked.error_message = (error_message or "")[:500]
            fields += ["error_code", "error_message"]
        if fields:
            locked.save(update_fields=list(dict.fromkeys(fields)))
        if advanced or "error_code" in fields:
            interaction = locked.interaction
            events.emit(
                status_event(previous, locked, interaction.agent_id, interaction.is_watched())
            )
    message.refresh_from_db()
    return advanced


# Delivery of outbound messages. Twilio's Messages API has no idempotency
# key, so "never sent twice" rests on telling apart what certainly did not
# reach Twilio from what may have:
# - HTTP 429/5xx answers and refused connections (Twilio took nothing) are
#   retried with exponential backoff, at most OCC_SEND_MAX_ATTEMPTS times;
# - a read timeout is ambiguous: Twilio may have accepted the message and
#   not answered in time. The next attempt, at least AMBIGUOUS_WAIT later,
#   first settles it: if Twilio's status callback (it carries our own id,
#   `?m=<pk>`) has attached the SID meanwhile, or Twilio's message list shows
#   the message, it is recorded and nothing is sent again; only when Twilio
#   has no such message is it sent.
# Each attempt claims the row with a conditional UPDATE on send_attempts
# and marks it in flight (next_attempt_at = now + SEND_LEASE), so two tasks
# for the same message (a worker lost and its task run again, the sweep's)
# never send it at the same time; an attempt cut short by a crash is
# ambiguous too.
SEND_LEASE = timedelta(seconds=60)  # longer than any Twilio call (timeout ≤ 10 s)
AMBIGUOUS_WAIT = 30  # seconds: Twilio's "sent" callback usually arrives well within this
AMBIGUOUS = "timeout"  # error_code of a message whose last attempt may have reached Twilio


def _claim_send(message: Message, now: datetime, *, due_only: bool) -> bool:
    """Take the right to make the next attempt; False when another worker took it or it is done."""
    rows = Message.objects.filter(
        pk=message.pk,
        direction=Direction.OUTBOUND,
        status=MessageStatus.PENDING,
        provider_id__isnull=True,
        send_attempts=message.send_attempts,
    )
    if due_only:
        rows = rows.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    # Until its outcome is recorded the attempt counts as ambiguous: if this
    # process dies while Twilio has the request, the next attempt settles it first.
    return (
        rows.update(
            send_attempts=message.send_attempts + 1,
            next_attempt_at=now + SEND_LEASE,
            error_code=AMBIGUOUS,
        )
        == 1
    )


def _settle_ambiguous(message: Message, transport) -> bool:
    """After a timed-out attempt: True when Twilio turned out to have the message (now recorded)."""
    found = transport.find_accepted(message)
    if found is None:
        return False
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=None, error_code="", error_message=""
    )
    record_status(message, found.status, provider_id=found.provider_id)
    return True


def deliver(message: Message, *, now: datetime | None = None, due_only: bool = False) -> Message:
    """Make one attempt to send a stored outbound message through its channel's transport.

    Updates `message` in place and returns it: sent (provider id and status
    recorded), pending with `next_attempt_at` (a transient or ambiguous
    error: the next attempt is due then), or failed (a permanent error, or
    the last attempt, with the reason). A message the provider already has
    is never sent again. `due_only` (the retry workers) leaves alone a
    message whose next attempt is not due or that another worker is sending.
    """
    now = now or timezone.now()
    message.refresh_from_db()
    if (
        message.provider_id
        or message.status != MessageStatus.PENDING
        or message.direction != Direction.OUTBOUND
    ):
        # E.g. a status callback arrived after a timed-out send Twilio did accept.
        return message
    transport = channels.adapter_for(message.interaction.channel)
    max_attempts = settings.OCC_SEND_MAX_ATTEMPTS
    if message.error_code == AMBIGUOUS:
        try:
            if _settle_ambiguous(message, transport):
                message.refresh_from_db()
                return message
        except SendError:
            pass  # Twilio unreachable for the check as well: the attempt below finds out again
        if message.send_attempts >= max_attempts:
            Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
            record_status(
                message,
                MessageStatus.FAILED,
                error_code="unconfirmed",
                error_message=f"Twilio did not answer (gave up after {message.send_attempts} attempts).",
            )
            return message
    if not _claim_send(message, now, due_only=due_only):
        message.refresh_from_db()
        return message
    message.send_attempts += 1
    try:
        result = transport.send(message)
    except SendError as exc:
        if (exc.transient or exc.ambiguous) and not (
            exc.transient and message.send_attempts >= max_attempts
        ):
            backoff = min(300, 2**message.send_attempts)
            if exc.ambiguous:
                backoff = max(backoff, AMBIGUOUS_WAIT)
            next_attempt_at = timezone.now() + timedelta(seconds=backoff)
            with transaction.atomic():
                # The next attempt is a task written with the row that asks for it:
                # a recorded retry always has its task (or, engine down, the sweep).
                Message.objects.filter(pk=message.pk).update(
                    next_attempt_at=next_attempt_at,
                    error_code=AMBIGUOUS if exc.ambiguous else (exc.code or "")[:16],
                    error_message=str(exc)[:500],
                )
                _enqueue_attempt(message.pk, message.send_attempts + 1, run_after=next_attempt_at)
            message.refresh_from_db()
            interaction = message.interaction
            events.emit(
                events.MessageRetrying(message, interaction.agent_id, interaction.is_watched())
            )
            return message
        Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
        reason = str(exc)
        if exc.transient:
            # Bounded: after the last attempt the agent sees why, and can send again.
            reason = f"{exc} (gave up after {message.send_attempts} attempts)"
        record_status(
            message, MessageStatus.FAILED, error_code=exc.code or "send", error_message=reason
        )
        return message
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=None, error_code="", error_message=""
    )
    record_status(message, result.status, provider_id=result.provider_id)
    return message


def _enqueue_attempt(message_id: int, number: int, *, run_after: datetime | None = None) -> None:
    from interactions import tasks  # the tasks module imports this one

    enqueue(tasks.send_reply, message_id, number, run_after=run_after)


def attempt_number(message_id: int, number: int) -> Message | None:
    """Attempt `number` of a stored reply (the body of the engine's tasks); None when it was made already.

    A task can run twice (its worker lost, the sweep's copy): an attempt
    the row already counts is not made again, and `deliver` claims the
    next one on the row before anything is sent.
    """
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.send_attempts >= number:
        return None
    return deliver(message, due_only=True)


# The sweep leaves alone a reply whose task is merely a little late.
SWEEP_GRACE = timedelta(seconds=60)


def sweep(*, now: datetime | None = None) -> int:
    """Enqueue an attempt for each reply overdue by SWEEP_GRACE: its task was lost, or never written.

    E.g. the engine was unreachable when the retry was recorded, or the
    process died between storing a reply and its first attempt. A copy of
    a task still queued is harmless (`attempt_number`).
    """
    now = now or timezone.now()
    due = due_for_delivery(now=now - SWEEP_GRACE)
    attempts = dict(Message.objects.filter(pk__in=due).values_list("pk", "send_attempts"))
    for message_id in due:
        with transaction.atomic():
            _enqueue_attempt(message_id, attempts[message_id] + 1)
    return len(due)


def due_for_delivery(*, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Outbound messages waiting for an attempt: retries that are due, and sends never tried."""
    now = now or timezone.now()
    return list(
        Message.objects.filter(
            direction=Direction.OUTBOUND, status=MessageStatus.PENDING, provider_id__isnull=True
        )
        .filter(
            Q(send_attempts__gt=0, next_attempt_at__lte=now)
            # Never tried: the process died between storing and sending.
            | Q(
                send_attempts=0,
                next_attempt_at__isnull=True,
                created_at__lte=now - timedelta(seconds=10),
            )
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def send_reply(interaction_id: int, *, sender, on_stored=None, **content) -> Message:
    """The one way an agent's reply goes out, from the desk and from the API.

    Stores the reply (`create_reply`: the truth, status pending), tells the
    caller it is stored (`on_stored(message)`, e.g. the desk's
    acknowledgement), then makes the first delivery attempt inline; a
    transient failure leaves the retries to the task engine (`deliver`
    enqueues them). Call outside any transaction (the message must be
    committed before the provider can call back about it). Blocks for at
    most one call to the provider.
    """
    message = create_reply(interaction_id, sender=sender, **content)
    if on_stored is not None:
        on_stored(message)
    return attempt(message.pk, due_only=False)


def attempt(message_id: int, *, now=None, due_only: bool = True) -> Message:
    return deliver(Message.objects.get(pk=message_id), now=now, due_only=due_only)
