"""Automatic messages, business hours, the first-response target and idle conversations, end to end.

Signed webhooks through the real view, the real task engine's worker loop
(`run_tasks`), and the fake Twilio over real HTTP receiving what a
customer's phone would.
"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interactions.actions import outbound
from interactions.actions.lifecycle import close_interaction, transfer_interaction
from interactions.models import Contact, Interaction, Message, SlaBreach
from interactions.selectors import queue_position
from services.models import Closure, OpeningRange, ServiceMessage
from tests.conftest import CUSTOMER_NUMBER, load_payload, make_tasks_due

pytestmark = pytest.mark.django_db(transaction=True)

INBOUND = "/whatsapp/twilio/inbound"
_n = iter(range(1, 10_000))


def write(signed_post, number: str = CUSTOMER_NUMBER, body: str = "hello"):
    """The customer `number` writes once (a new MessageSid each time)."""
    sid = f"SM{next(_n):032x}"
    payload = load_payload(
        "inbound_text",
        MessageSid=sid,
        SmsSid=sid,
        SmsMessageSid=sid,
        From=f"whatsapp:{number}",
        WaId=number[1:],
        Body=body,
    )
    assert signed_post(INBOUND, payload).status_code == 200


def sent_to(fake_twilio, number: str = CUSTOMER_NUMBER) -> list[str]:
    return [m["body"] for m in fake_twilio.sent_messages() if m["to"] == f"whatsapp:{number}"]


def automatic(kind: str):
    return Message.objects.filter(direction="out", extras__automatic=kind)


def closed_now(service, *, opens_tomorrow_at=time(9, 0)):
    """Business hours that are closed right now: open only tomorrow (service time), 09:00–17:00."""
    service.business_hours_enabled = True
    service.out_of_hours_reply = True
    service.save()
    tomorrow = (timezone.now().astimezone(service.tz) + timedelta(days=1)).weekday()
    OpeningRange.objects.create(
        service=service, weekday=tomorrow, opens=opens_tomorrow_at, closes=time(17, 0)
    )


def open_all_day(service):
    for weekday in range(7):
        OpeningRange.objects.create(
            service=service, weekday=weekday, opens=time(0, 0), closes=time(23, 59, 59)
        )


# --- business hours -----------------------------------------------------------------------------


def test_out_of_hours_reply_once_per_conversation_per_n_hours(
    signed_post, service, fake_twilio, run_tasks
):
    closed_now(service)
    write(signed_post)
    write(signed_post)
    run_tasks()
    bodies = sent_to(fake_twilio)
    assert len(bodies) == 1, bodies
    assert "We are closed right now: we open again" in bodies[0] and "at 09:00" in bodies[0]
    # N hours later (12 by default) the customer hears it again.
    automatic("out_of_hours").update(created_at=timezone.now() - timedelta(hours=13))
    write(signed_post)
    run_tasks()
    assert len(sent_to(fake_twilio)) == 2
    assert automatic("out_of_hours").count() == 2
    # It is an outbound message of the conversation, sent like any reply.
    reply = automatic("out_of_hours").order_by("pk").first()
    assert reply.sender_id is None and reply.provider_id and reply.status == "queued"
    assert reply.interaction.first_reply_at is None  # not an agent's first reply


def test_no_out_of_hours_reply_while_an_agent_holds_the_conversation(
    signed_post, service, agent, fake_twilio, run_tasks
):
    write(signed_post)  # inside hours (none set yet): assigned
    assert Interaction.objects.get().agent_id == agent.pk
    closed_now(service)  # the service closes; the agent keeps working
    write(signed_post)
    run_tasks()
    assert sent_to(fake_twilio) == [] and not automatic("out_of_hours").exists()


def test_outside_hours_the_conversation_waits_for_the_next_opening(
    signed_post, service, agent, fake_twilio, run_tasks
):
    closed_now(service)
    write(signed_post)
    interaction = Interaction.objects.get()
    # An agent is online, but the service is closed: queued until it opens.
    assert interaction.state == "queued" and interaction.agent_id is None
    timer = DBTaskResult.objects.get(task_path="interactions.tasks.drain_at_opening")
    opening = timer.run_after.astimezone(service.tz)
    assert (opening.hour, opening.minute) == (9, 0) and opening > timezone.now()
    run_tasks()  # the reply; the timer is not due yet
    assert Interaction.objects.get().state == "queued"
    # The opening comes (the schedule says open now; the timer's moment has come).
    open_all_day(service)
    make_tasks_due()
    run_tasks()
    interaction.refresh_from_db()
    assert interaction.state == "assigned" and interaction.agent_id == agent.pk


def test_a_closure_day_is_out_of_hours_and_close_action_closes(
    signed_post, service, agent, fake_twilio, run_tasks
):
    service.business_hours_enabled = True
    service.out_of_hours_reply = True
    service.out_of_hours_action = "close"
    service.save()
    open_all_day(service)
    today = timezone.now().astimezone(service.tz).date()
    Closure.objects.create(service=service, starts_on=today, ends_on=today, note="Holiday")
    write(signed_post)
    run_tasks()
    interaction = Interaction.objects.get()
    assert interaction.state == "closed"
    assert interaction.events.last().reason == "closed: outside business hours"
    bodies = sent_to(fake_twilio)
    assert len(bodies) == 1 and "We are closed right now" in bodies[0]
    assert "at 00:00" in bodies[0]  # the next day, at the start of its range


def test_inside_hours_with_nobody_online_the_no_agent_reply(
    signed_post, service, make_agent, fake_twilio, run_tasks
):
    service.no_agent_reply = True
    service.queue_position_reply = True
    service.save()
    make_agent("away", presence="offline")
    write(signed_post)
    run_tasks()
    assert Interaction.objects.get().state == "queued"
    bodies = sent_to(fake_twilio)
    assert len(bodies) == 1 and "No agent is available right now" in bodies[0]
    assert not automatic("queued").exists()


def test_greeting_on_a_new_conversation_only(signed_post, service, agent, fake_twilio, run_tasks):
    service.greeting_enabled = True
    service.save()
    write(signed_post)
    write(signed_post)
    run_tasks()
    bodies = sent_to(fake_twilio)
    assert bodies == [
        "Hello Maria Rossi, thank you for writing to Customer care. We have your message and will answer you here."
    ]


def test_each_message_in_italian_for_an_italian_contact(
    signed_post, service, make_agent, fake_twilio, run_tasks
):
    Contact.objects.create(address=CUSTOMER_NUMBER, name="Maria Rossi", language="it")
    service.greeting_enabled = service.no_agent_reply = service.queue_position_reply = True
    service.closed_message_enabled = True
    service.idle_close_hours = 1
    service.save()
    # No agent online: the greeting and the no-agent reply, in Italian.
    write(signed_post)
    run_tasks()
    assert sent_to(fake_twilio) == [
        "Ciao Maria Rossi, grazie per aver scritto a Customer care. Abbiamo ricevuto il tuo messaggio e ti risponderemo qui.",
        "Grazie per il tuo messaggio. Al momento non ci sono operatori disponibili: sei in coda e il primo operatore che si collega ti risponderà.",
    ]
    # Idle: the closing message in Italian.
    Interaction.objects.update(last_inbound_at=timezone.now() - timedelta(hours=2))
    make_tasks_due()
    run_tasks()
    assert sent_to(fake_twilio)[-1].startswith("Abbiamo chiuso questa conversazione")
    # Busy agent: the queued message with position and wait, in Italian.
    busy = make_agent("busy", max_interactions=1)
    other = Contact.objects.create(address="+393330000009")
    Interaction.objects.create(service=service, contact=other, state="assigned", agent=busy)
    write(signed_post)
    run_tasks()
    assert (
        "Tutti i nostri operatori sono occupati: sei il numero 1 in coda. Attesa stimata: circa 5 minuti."
        in sent_to(fake_twilio)[-1]
    )
    # Out of hours, in Italian, with the day's name in Italian.
    Interaction.objects.filter(state__in=["queued", "assigned"]).update(state="closed")
    closed_now(service)
    write(signed_post)
    run_tasks()
    last = sent_to(fake_twilio)[-1]
    assert last.startswith("Grazie per il tuo messaggio. In questo momento siamo chiusi: riapriamo")
    assert "alle 09:00" in last
    day = (timezone.now().astimezone(service.tz) + timedelta(days=1)).weekday()
    assert ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"][
        day
    ] in last


def test_the_service_wording_and_default_language(
    signed_post, service, make_agent, fake_twilio, run_tasks
):
    """The service's own text is used, in its default language for a contact without one."""
    service.default_language = "it"
    service.no_agent_reply = True
    service.save()
    ServiceMessage.objects.create(
        service=service, kind="no_agent", language="it", body="Ciao {contact_name}, arriviamo!"
    )
    write(signed_post)
    run_tasks()
    assert sent_to(fake_twilio) == ["Ciao Maria Rossi, arriviamo!"]


# --- first-response target ----------------------------------------------------------------------


@pytest.fixture
def sla_service(service):
    service.first_response_minutes = 5
    service.save()
    return service


def _sla_timer():
    return DBTaskResult.objects.filter(task_path="interactions.tasks.reassign_if_unanswered")


def test_unanswered_conversation_goes_to_another_agent(
    signed_post, sla_service, make_agent, fake_twilio, run_tasks
):
    first = make_agent("first")
    write(signed_post)
    interaction = Interaction.objects.get()
    assert interaction.agent_id == first.pk
    timer = _sla_timer().get()
    assert timedelta(minutes=4) < timer.run_after - timezone.now() <= timedelta(minutes=5)
    second = make_agent("second")
    make_tasks_due()
    run_tasks()
    interaction.refresh_from_db()
    assert interaction.agent_id == second.pk and interaction.state == "assigned"
    breach = SlaBreach.objects.get()
    assert (breach.agent_id, breach.new_agent_id, breach.outcome, breach.target_minutes) == (
        first.pk,
        second.pk,
        "reassigned",
        5,
    )
    assert "first-response target of 5 min missed" in interaction.assignment_reason
    # The new agent has a target of their own, not yet due.
    assert _sla_timer().filter(status="READY").count() == 1


def test_unanswered_with_nobody_else_goes_to_the_front_of_the_queue(
    signed_post, sla_service, make_agent, fake_twilio, run_tasks
):
    solo = make_agent("solo", max_interactions=1)
    write(signed_post)
    write(signed_post, "+393330000002")  # waits behind
    held = Interaction.objects.get(state="assigned")
    waiting = Interaction.objects.get(state="queued")
    # Another conversation waits with an earlier place (returned to the queue before).
    Interaction.objects.filter(pk=waiting.pk).update(queue_order=0)
    solo.presence = "offline"
    solo.save()
    make_tasks_due()
    run_tasks()
    held.refresh_from_db()
    assert held.state == "queued" and held.queue_order == -1
    assert queue_position(held) == 1
    assert SlaBreach.objects.get().outcome == "requeued"


@pytest.mark.parametrize("what", ["reply", "transfer", "close"])
def test_a_reply_transfer_or_close_cancels_the_target(
    what, signed_post, sla_service, make_agent, fake_twilio, run_tasks
):
    first = make_agent("first")
    second = make_agent("second")
    write(signed_post)
    interaction = Interaction.objects.get()
    timer = _sla_timer().get()
    holder = first if interaction.agent_id == first.pk else second
    other = second if holder is first else first
    if what == "reply":
        outbound.send_reply(interaction.pk, sender=holder.user, body="Hello, I am here")
    elif what == "transfer":
        transfer_interaction(interaction.pk, to_agent_id=other.pk)
    else:
        close_interaction(interaction.pk)
    # The first agent's moment comes (a transfer starts the receiver's own target: not due).
    DBTaskResult.objects.filter(pk=timer.pk).update(run_after=timezone.now())
    run_tasks()
    assert not SlaBreach.objects.exists()
    interaction.refresh_from_db()
    expected = {"reply": holder.pk, "transfer": other.pk, "close": holder.pk}[what]
    assert interaction.agent_id == expected
    # The timer ran and found the state moved on.
    timer.refresh_from_db()
    assert timer.status == "SUCCESSFUL" and timer.return_value == "moved on"


# --- idle conversations -------------------------------------------------------------------------


def test_idle_conversation_closed_and_the_next_message_starts_afresh(
    signed_post, service, agent, fake_twilio, run_tasks
):
    service.idle_close_hours = 4
    service.closed_message_enabled = True
    service.save()
    write(signed_post)
    interaction = Interaction.objects.get()
    timer = DBTaskResult.objects.get(task_path="interactions.tasks.close_if_idle")
    assert timedelta(hours=3, minutes=59) < timer.run_after - timezone.now() <= timedelta(hours=4)
    # Due, but the customer wrote 1 hour ago: it starts again for that message's deadline.
    Interaction.objects.update(last_inbound_at=timezone.now() - timedelta(hours=1))
    make_tasks_due()
    run_tasks()
    interaction.refresh_from_db()
    assert interaction.state == "assigned"
    again = DBTaskResult.objects.filter(
        task_path="interactions.tasks.close_if_idle", status="READY"
    ).get()
    assert timedelta(hours=2, minutes=59) < again.run_after - timezone.now() <= timedelta(hours=3)
    # Four hours without a message: closed, with the closing message.
    Interaction.objects.update(last_inbound_at=timezone.now() - timedelta(hours=5))
    make_tasks_due()
    run_tasks()
    interaction.refresh_from_db()
    assert interaction.state == "closed" and interaction.closed_by_id is None
    assert interaction.events.last().reason == "closed: idle for 4 h"
    assert sent_to(fake_twilio) == [
        "We have closed this conversation as there were no new messages. Write to us again at any time."
    ]
    # The customer writes again: a new conversation, routed afresh.
    write(signed_post)
    fresh = Interaction.objects.exclude(pk=interaction.pk).get()
    assert fresh.state == "assigned" and fresh.agent_id == agent.pk
