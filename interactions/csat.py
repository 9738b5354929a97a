"""Customer satisfaction: a survey after a close, and the answer taken on the closed interaction.

When a conversation of a service with `csat_enabled` closes, a timer task
(`interactions.tasks.send_csat`, through `engine.timers`) sends the survey:
the service's approved quick-reply template (buttons 1–5; it reaches the
customer whether or not the 24-hour window is still open) or, without one,
a text inside the window (outside it nothing can be sent: the survey is
recorded as not sent, with the reason). The task does nothing if the
conversation was reopened or already surveyed.

The customer's answer is taken in `receive_inbound`, before anything is
routed: a score (a button of the survey, or a message that is just a number
from 1 to 5) within `ANSWER_HOURS`, then the next message within
`COMMENT_MINUTES` as a comment. Both are stored as messages of the closed
interaction (its history shows them) and on its `Survey`; neither opens a
new conversation. Anything else while a survey waits is routed as usual.

The words: the service's automatic messages `csat_ask` and `csat_thanks`
(services.messages: editable per service and language, English and
Italian defaults), in the contact's language.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from engine import timers
from interactions import events
from interactions.models import (
    OPEN_STATES,
    Direction,
    Interaction,
    InteractionState,
    Message,
    MessageStatus,
    Survey,
)
from interactions.selectors import free_text_allowed
from services import messages

ANSWER_HOURS = 24
COMMENT_MINUTES = 30
_SCORE = re.compile(r"^\s*([1-5])\s*(?:/\s*5)?\s*[.!]?\s*$")
_PAYLOAD = re.compile(r"^csat[_-]?([1-5])$", re.IGNORECASE)


# --- the survey after a close -----------------------------------------------------------------


def on_closed(event: events.InteractionClosed) -> None:
    """Durable subscriber of InteractionClosed: start the survey's timer in the closing transaction."""
    interaction = event.interaction
    if not interaction.service.csat_enabled:
        return
    from interactions import tasks  # the tasks module imports the actions

    timers.start(
        tasks.send_csat,
        after=0,
        interaction_id=interaction.pk,
        token=timers.token(interaction.state, interaction.closed_at),
    )


def send_survey(interaction_id: int, token: str, *, now: datetime | None = None) -> Message | None:
    """The survey of a closed interaction, sent once; None when nothing is (or can be) sent."""
    from interactions.actions import outbound

    now = now or timezone.now()
    with transaction.atomic():
        interaction = (
            Interaction.objects.select_for_update(of=("self",))
            .select_related("service", "contact")
            .get(pk=interaction_id)
        )
        if timers.moved_on(token, interaction.state, interaction.closed_at):
            return None  # reopened, or closed again later (that close has its own timer)
        service = interaction.service
        if not service.csat_enabled or Survey.objects.filter(interaction=interaction).exists():
            return None
        survey = Survey(
            interaction=interaction,
            contact=interaction.contact,
            service=service,
            sent_at=now,
            answer_until=now + timedelta(hours=ANSWER_HOURS),
        )
        template_id, body = "", ""
        if service.csat_template_sid:
            template_id = service.csat_template_sid
        elif free_text_allowed(interaction, now):
            body = messages.render(service, "csat_ask", interaction.contact)
        else:
            survey.state = Survey.State.NOT_SENT
            survey.note = "the 24-hour window had closed and the service has no survey template"
            survey.save()
            return None
        try:
            message = outbound.create_reply(
                interaction.pk,
                sender=None,
                allow_closed=True,
                now=now,
                template_id=template_id,
                body=body,
            )
        except outbound.ActionError as exc:
            survey.state = Survey.State.NOT_SENT
            survey.note = str(exc)[:200]
            survey.save()
            return None
        survey.save()
    return outbound.attempt(message.pk, due_only=False)


# --- the answer ---------------------------------------------------------------------------------


def score_of(inbound) -> int | None:
    """1–5 from a survey button (payload `csat_N`, or its title) or a message that is only that number."""
    button = (inbound.extras or {}).get("button") or {}
    for value in (button.get("payload", ""), button.get("text", ""), inbound.body or ""):
        match = _PAYLOAD.match(value.strip()) or _SCORE.match(value)
        if match:
            return int(match.group(1))
    return None


def take_answer(service, inbound, now: datetime):
    """Inside receive_inbound's transaction: (interaction, message) when `inbound` answers a survey, else None."""
    if not service.csat_enabled:
        return None
    survey = (
        Survey.objects.select_for_update()
        .filter(
            contact__channel=inbound.channel,
            contact__address=inbound.address,
            service=service,
            state__in=[Survey.State.SENT, Survey.State.SCORED],
        )
        .order_by("-sent_at")
        .first()
    )
    if survey is None:
        return None
    if Interaction.objects.filter(
        contact_id=survey.contact_id, service=service, state__in=OPEN_STATES
    ).exists():
        return None  # a conversation is open: the message is for it
    extras = dict(inbound.extras or {})
    if survey.state == Survey.State.SENT and now <= survey.answer_until:
        score = score_of(inbound)
        if score is None:
            return None
        survey.score, survey.state, survey.answered_at = score, Survey.State.SCORED, now
        survey.comment_until = now + timedelta(minutes=COMMENT_MINUTES)
        extras["csat"] = {"score": score}
    elif (
        survey.state == Survey.State.SCORED
        and survey.comment_until is not None
        and now <= survey.comment_until
        and (inbound.body or "").strip()
    ):
        survey.comment, survey.state = inbound.body.strip()[:2000], Survey.State.COMMENTED
        extras["csat"] = {"comment": True}
    else:
        return None
    interaction = (
        Interaction.objects.select_for_update(of=("self",))
        .select_related("contact")
        .get(pk=survey.interaction_id)
    )
    assert interaction.state == InteractionState.CLOSED
    # Unique provider id: a repeated delivery raises here and rolls back.
    message = Message.objects.create(
        interaction=interaction,
        direction=Direction.INBOUND,
        provider_id=inbound.provider_id,
        body=inbound.body,
        attachments=inbound.attachments,
        extras=extras,
        status=MessageStatus.RECEIVED,
        payload=inbound.payload,
        created_at=now,
        status_updated_at=now,
    )
    survey.save()
    # The customer wrote: the window is open again for the thanks.
    interaction.last_inbound_at = now
    interaction.version += 1
    interaction.save(update_fields=["last_inbound_at", "version"])
    if survey.state == Survey.State.SCORED:
        _thank(interaction, now)
    return interaction, message


def _thank(interaction: Interaction, now: datetime) -> None:
    """The thanks, stored now and sent by a task worker (the webhook never waits for the provider)."""
    from engine.actions import enqueue
    from interactions import tasks
    from interactions.actions import outbound

    message = outbound.create_reply(
        interaction.pk,
        sender=None,
        body=messages.render(
            interaction.service,
            "csat_thanks",
            interaction.contact,
            score=Survey.objects.filter(interaction=interaction)
            .values_list("score", flat=True)
            .first()
            or "",
        ),
        allow_closed=True,
        now=now,
    )
    enqueue(tasks.send_automatic, message.pk)
