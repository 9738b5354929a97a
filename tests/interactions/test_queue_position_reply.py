"""The optional automatic reply telling a waiting customer their place in the queue."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from interactions.models import Message
from tests.conftest import CUSTOMER_NUMBER, SERVICE_NUMBER, load_payload

INBOUND = "/whatsapp/twilio/inbound"


@pytest.fixture
def replying_service(service, make_agent):
    """A service that tells waiting customers their place, with one agent online and busy."""
    service.queue_position_reply = True
    service.save()
    busy = make_agent("busy", max_interactions=1)
    from interactions.models import Contact, Interaction

    contact = Contact.objects.create(address="+393330000001")
    Interaction.objects.create(service=service, contact=contact, state="assigned", agent=busy)
    return service


@pytest.mark.django_db(transaction=True)
def test_waiting_customer_is_told_their_place_after_the_commit(
    signed_post, replying_service, fake_twilio, run_tasks
):
    first = load_payload("inbound_text")
    second = load_payload("inbound_location", From="whatsapp:+393339999999", WaId="393339999999")
    for payload in (first, second):
        assert signed_post(INBOUND, payload).status_code == 200
        # Sent by a task worker, not by the webhook: one task per reply.
        assert run_tasks() == 1
    sent = sorted(fake_twilio.sent_messages(), key=lambda m: m["to"])
    assert [(m["from"], m["to"]) for m in sent] == [
        (f"whatsapp:{SERVICE_NUMBER}", f"whatsapp:{CUSTOMER_NUMBER}"),
        (f"whatsapp:{SERVICE_NUMBER}", "whatsapp:+393339999999"),
    ]
    assert "you are number 1 in the queue" in sent[0]["body"]
    assert "number 2 in the queue" in sent[1]["body"]
    assert "Estimated wait: about 5 minutes" in sent[0]["body"]  # no history: 5 min per place
    replies = Message.objects.filter(direction="out").order_by("pk")
    # Stored in the webhook's transaction, then accepted by Twilio through the task.
    assert [m.status for m in replies] == ["queued", "queued"]
    assert all(m.provider_id and m.sender_id is None for m in replies)


@pytest.mark.django_db
def test_no_reply_when_an_agent_takes_it(signed_post, service, agent):
    service.queue_position_reply = True
    service.save()
    signed_post(INBOUND, load_payload("inbound_text"))
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.django_db
def test_no_reply_unless_the_service_asks_for_it(signed_post, service):
    signed_post(INBOUND, load_payload("inbound_text"))
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.django_db
def test_reply_is_sent_only_after_the_commit(
    signed_post, replying_service, fake_twilio, django_capture_on_commit_callbacks, run_tasks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_post(INBOUND, load_payload("inbound_text"))
    # Stored, pending, and nothing sent before the transaction commits.
    reply = Message.objects.get(direction="out")
    assert reply.status == "pending"
    assert fake_twilio.sent_messages() == []
    assert callbacks
    # Its task was written in the webhook's transaction; a worker sends it.
    task = DBTaskResult.objects.get(task_path="interactions.tasks.send_automatic")
    assert task.args_kwargs["args"] == [reply.pk]
    assert run_tasks() == 1
    reply.refresh_from_db()
    assert reply.status == "queued" and len(fake_twilio.sent_messages()) == 1


@pytest.mark.django_db
def test_a_queue_position_task_run_twice_sends_the_reply_once(
    signed_post, replying_service, fake_twilio
):
    """A worker lost after sending: its task runs again and finds the attempt made."""
    from interactions import tasks

    signed_post(INBOUND, load_payload("inbound_text"))
    reply = Message.objects.get(direction="out")
    assert tasks.send_automatic.call(reply.pk) is True
    assert tasks.send_automatic.call(reply.pk) is False
    assert len(fake_twilio.sent_messages()) == 1
