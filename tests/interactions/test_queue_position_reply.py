"""The optional automatic reply telling a waiting customer their place in the queue."""

from __future__ import annotations

import pytest

from interactions import background
from interactions.models import Message
from tests.conftest import CUSTOMER_NUMBER, SERVICE_NUMBER, load_payload

INBOUND = "/whatsapp/twilio/inbound"


@pytest.fixture
def replying_service(service):
    service.queue_position_reply = True
    service.save()
    return service


@pytest.mark.django_db(transaction=True)
def test_waiting_customer_is_told_their_place_after_the_commit(signed_post, replying_service, fake_twilio):
    first = load_payload("inbound_text")
    second = load_payload("inbound_location", From="whatsapp:+393339999999", WaId="393339999999")
    for payload in (first, second):
        assert signed_post(INBOUND, payload).status_code == 200
        # One at a time: the test database (in-memory SQLite) locks whole tables.
        background.wait()
    sent = sorted(fake_twilio.sent_messages(), key=lambda m: m["to"])
    assert [(m["from"], m["to"]) for m in sent] == [
        (f"whatsapp:{SERVICE_NUMBER}", f"whatsapp:{CUSTOMER_NUMBER}"),
        (f"whatsapp:{SERVICE_NUMBER}", "whatsapp:+393339999999"),
    ]
    assert "first in the queue" in sent[0]["body"]
    assert "number 2 in the queue" in sent[1]["body"]
    replies = Message.objects.filter(direction="out").order_by("pk")
    # Stored in the webhook's transaction, then accepted by Twilio in the background.
    assert [m.status for m in replies] == ["queued", "queued"]
    assert all(m.provider_id and m.sender_id is None for m in replies)


@pytest.mark.django_db
def test_no_reply_when_an_agent_takes_it(signed_post, replying_service, agent):
    signed_post(INBOUND, load_payload("inbound_text"))
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.django_db
def test_no_reply_unless_the_service_asks_for_it(signed_post, service):
    signed_post(INBOUND, load_payload("inbound_text"))
    assert not Message.objects.filter(direction="out").exists()


@pytest.mark.django_db
def test_reply_is_sent_only_after_the_commit(signed_post, replying_service, fake_twilio, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        signed_post(INBOUND, load_payload("inbound_text"))
    # Stored, pending, and nothing sent before the transaction commits.
    assert Message.objects.get(direction="out").status == "pending"
    assert fake_twilio.sent_messages() == []
    assert callbacks
