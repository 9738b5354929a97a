"""Delivery is a task run by a worker after the commit, never inside Twilio's webhook request."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from engine import periodic
from hooks.models import Delivery, DeliveryState
from tests.conftest import load_payload

INBOUND = "/whatsapp/twilio/inbound"


@pytest.mark.django_db(transaction=True)
def test_the_twilio_webhook_answers_while_the_receiver_is_still_busy(
    signed_post, endpoint, receiver, service, agent, run_tasks
):
    receiver.gate = threading.Event()  # the receiver holds every request until released
    response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200 and b"<Response/>" in response.content
    # Twilio has its answer, no receiver has been called: the delivery waits for a worker.
    assert receiver.answered == 0
    assert (
        list(DBTaskResult.objects.values_list("task_path", "status"))
        == [("hooks.tasks.deliver_event", "READY")] * 3
    )
    receiver.gate.set()
    run_tasks()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    assert {e["type"] for e in receiver.events()} == {
        "interaction.created",
        "interaction.assigned",
        "message.received",
    }


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_never_fails_the_twilio_webhook(
    signed_post, endpoint, receiver, service, agent, settings, run_tasks
):
    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 3600
    receiver.statuses = [500] * 10
    response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200
    run_tasks()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_the_worker_command_runs_what_is_queued(
    endpoint, receiver, service, agent, run_tasks, capsys
):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393330000001", provider_id="SM1", body="Hi"),
    )
    call_command("worker", "--batch", verbosity=0)
    assert len(receiver.acknowledged()) == 3
    ran = DBTaskResult.objects.filter(task_path="hooks.tasks.deliver_event")
    assert list(ran.values_list("status", flat=True)) == ["SUCCESSFUL"] * 3  # one per event
    # The worker started the periodic jobs: each has its next tick queued.
    ticks = DBTaskResult.objects.filter(task_path="engine.tasks.tick", status="READY")
    assert sorted(t.args_kwargs["args"][0] for t in ticks) == sorted(periodic.jobs())
    assert "hooks.sweep_deliveries" in periodic.jobs()
