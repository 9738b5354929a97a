"""Delivery right after the commit, in a background thread, never inside Twilio's webhook request."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command

from hooks import dispatcher
from hooks.models import Delivery, DeliveryState
from tests.conftest import load_payload

INBOUND = "/whatsapp/twilio/inbound"


@pytest.mark.django_db(transaction=True)
def test_the_twilio_webhook_answers_while_the_receiver_is_still_busy(signed_post, endpoint, receiver, service, agent, settings):
    settings.OCC_WEBHOOK_DELIVER_IN_PROCESS = True
    receiver.gate = threading.Event()  # the receiver holds every request until released
    response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200 and b"<Response/>" in response.content
    # Twilio has its answer, and no receiver has answered yet: the delivery runs elsewhere.
    assert receiver.answered == 0
    receiver.gate.set()
    assert dispatcher.wait_idle(20)
    states = set(Delivery.objects.values_list("state", flat=True))
    assert states == {DeliveryState.DELIVERED}
    assert {e["type"] for e in receiver.events()} == {"interaction.created", "interaction.assigned", "message.received"}


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_never_fails_the_twilio_webhook(signed_post, endpoint, receiver, service, agent, settings):
    settings.OCC_WEBHOOK_DELIVER_IN_PROCESS = True
    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 3600
    receiver.statuses = [500] * 10
    response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200
    assert dispatcher.wait_idle(20)
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_the_worker_command_delivers_what_is_pending(endpoint, receiver, service, agent, capsys):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    receive_inbound(
        service, InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi")
    )
    call_command("deliver_webhooks", "--once")
    assert "3 deliveries attempted" in capsys.readouterr().out
    assert len(receiver.acknowledged()) == 3
