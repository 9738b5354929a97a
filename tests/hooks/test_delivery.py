"""Outbound webhooks over real HTTP: signed, retried with backoff, never lost nor doubled."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents.models import Presence
from hooks import delivery as hooks_delivery
from hooks import signing
from hooks.delivery import backoff_seconds
from hooks.models import Delivery, DeliveryState, Endpoint, Event
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.lifecycle import close_interaction
from interactions.actions.outbound import create_reply, deliver, record_status
from interactions.models import Direction, Interaction, Message, MessageStatus
from tests.conftest import make_tasks_due


def customer_writes(service, number: str, sid: str, body: str = "Hello"):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=number, provider_id=sid, body=body, name="Carla"
        ),
    )


@pytest.fixture
def drain_outbox(run_tasks):
    """Run the worker until nothing is queued (retries are due at once in these tests)."""

    def drain() -> None:
        run_tasks()
        assert not Delivery.objects.filter(state=DeliveryState.PENDING).exists(), (
            "deliveries still pending"
        )

    return drain


def test_a_receiver_can_verify_the_signature_with_its_secret(
    endpoint, receiver, service, agent, drain_outbox
):
    customer_writes(service, "+393330000001", "SM1")
    drain_outbox()
    assert receiver.requests, "nothing delivered"
    for request in receiver.requests:
        headers = request["headers"]
        assert headers["Content-Type"] == "application/json"
        assert signing.verify(
            endpoint.plain_secret,
            request["body"],
            headers["X-OCC-Timestamp"],
            headers["X-OCC-Signature"],
        )
        assert not signing.verify(
            "wrong-secret", request["body"], headers["X-OCC-Timestamp"], headers["X-OCC-Signature"]
        )
        event = json.loads(request["body"])
        assert event["id"] == headers["X-OCC-Event-Id"] and event["type"] == headers["X-OCC-Event"]


def test_a_new_conversation_sends_created_assigned_and_received(
    endpoint, receiver, service, agent, drain_outbox
):
    result = customer_writes(service, "+393330000001", "SM1", "I need help")
    drain_outbox()
    by_type = {e["type"]: e for e in receiver.events()}
    assert set(by_type) == {"interaction.created", "interaction.assigned", "message.received"}
    assert by_type["interaction.created"]["data"]["interaction"]["id"] == result.interaction.pk
    assert by_type["interaction.assigned"]["data"]["interaction"]["agent_id"] == agent.pk
    received = by_type["message.received"]["data"]
    assert received["message"]["body"] == "I need help"
    assert received["interaction"]["contact"]["address"] == "+393330000001"


def test_replies_status_changes_and_close_are_events(
    endpoint, receiver, service, agent, fake_twilio, drain_outbox
):
    interaction = customer_writes(service, "+393330000001", "SM1").interaction
    reply = deliver(create_reply(interaction.pk, sender=agent.user, body="On it"))
    record_status(reply, MessageStatus.DELIVERED)
    close_interaction(interaction.pk, actor=agent.user)
    drain_outbox()
    types = [e["type"] for e in sorted(receiver.events(), key=lambda e: e["created_at"])]
    # Schema 2: message.sent once the channel accepted the reply (not when it was stored).
    assert types[-3:] == ["message.sent", "message.status_changed", "interaction.closed"]
    sent = next(e for e in receiver.events() if e["type"] == "message.sent")["data"]["message"]
    assert (sent["status"], sent["provider_id"]) == (
        "queued",
        reply.provider_id,
    ) and reply.provider_id
    statuses = [
        e["data"]["message"]["status"]
        for e in receiver.events()
        if e["type"] == "message.status_changed"
    ]
    assert statuses == ["delivered"]
    assert {e["version"] for e in receiver.events()} == {2}


def test_a_reply_stored_but_not_accepted_sends_no_message_sent(
    endpoint, receiver, service, agent, drain_outbox
):
    """Stored (pending) is not sent: nothing reaches receivers until the channel answers."""
    interaction = customer_writes(service, "+393330000001", "SM1").interaction
    create_reply(interaction.pk, sender=agent.user, body="On it")
    drain_outbox()
    assert "message.sent" not in [e["type"] for e in receiver.events()]


def test_a_reply_twilio_refuses_is_message_failed(endpoint, receiver, service, agent, drain_outbox):
    """What `deliver` records for a permanent refusal: failed, never sent."""
    interaction = customer_writes(service, "+393330000001", "SM1").interaction
    reply = create_reply(interaction.pk, sender=agent.user, body="On it")
    record_status(
        reply, MessageStatus.FAILED, error_code="21211", error_message="Invalid 'To' Phone Number"
    )
    drain_outbox()
    by_type = {e["type"]: e for e in receiver.events()}
    assert "message.sent" not in by_type
    failed = by_type["message.failed"]["data"]["message"]
    assert (failed["status"], failed["error_code"]) == ("failed", "21211")


def test_a_failing_receiver_gets_the_same_event_again_after_a_backoff(
    endpoint, receiver, service, agent, settings, run_tasks
):
    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.statuses = [503, 500]
    customer_writes(service, "+393330000001", "SM1")
    Delivery.objects.exclude(event__type="interaction.created").delete()  # follow one event
    delivery = Delivery.objects.get()
    run_tasks()
    delivery.refresh_from_db()
    assert (
        delivery.state == DeliveryState.PENDING
        and delivery.attempts == 1
        and delivery.last_status_code == 503
    )
    wait = (delivery.next_attempt_at - delivery.last_attempt_at).total_seconds()
    assert wait == pytest.approx(30, abs=1)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.task_path == "hooks.tasks.deliver" and retry.run_after == delivery.next_attempt_at
    assert run_tasks() == 0  # not due yet: nothing is sent early
    for expected_attempts, expected_status in [(2, 500), (3, 200)]:
        make_tasks_due()
        run_tasks()
        delivery.refresh_from_db()
        assert (
            delivery.attempts == expected_attempts and delivery.last_status_code == expected_status
        )
    assert delivery.state == DeliveryState.DELIVERED and delivery.delivered_at is not None
    ids = [r["headers"]["X-OCC-Event-Id"] for r in receiver.requests]
    bodies = {r["body"] for r in receiver.requests}
    assert ids == [str(delivery.event_id)] * 3 and len(bodies) == 1  # the same event, byte for byte
    assert [a.status_code for a in delivery.attempt_log.order_by("at", "id")] == [503, 500, 200]


def test_backoff_doubles_up_to_the_cap(settings):
    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 15
    settings.OCC_WEBHOOK_RETRY_MAX_SECONDS = 100
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [15, 30, 60, 100]


def test_after_the_last_attempt_the_delivery_is_failed_and_its_task_too(
    endpoint, receiver, service, agent, settings, run_tasks
):
    settings.OCC_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500] * 10
    customer_writes(service, "+393330000001", "SM1")
    run_tasks()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.FAILED}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}
    gave_up = DBTaskResult.objects.filter(status="FAILED")
    assert gave_up.count() == 3 and {r.exception_class_path for r in gave_up} == {
        "hooks.delivery.GaveUp"
    }
    assert run_tasks() == 0 and len(receiver.requests) == 6


def test_an_unreachable_receiver_is_recorded_and_retried(db, service, agent, settings, run_tasks):
    from hooks.actions import create_endpoint

    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 3600
    create_endpoint(url="http://127.0.0.1:9/unreachable")
    customer_writes(service, "+393330000001", "SM1")
    run_tasks()
    delivery = Delivery.objects.first()
    assert delivery.state == DeliveryState.PENDING and delivery.last_status_code is None
    assert "ConnectionError" in delivery.last_error
    assert DBTaskResult.objects.filter(task_path="hooks.tasks.deliver", status="READY").count() == 3


def test_no_event_is_lost_or_doubled_through_failures(
    endpoint, receiver, service, make_agent, fake_twilio, drain_outbox
):
    make_agent("alex", max_interactions=2)
    receiver.fail_first_per_event = 1  # every event fails once before it is taken
    numbers = [f"+39333000{n:04d}" for n in range(6)]
    for round_ in range(2):
        for index, number in enumerate(numbers):
            customer_writes(service, number, f"SM{round_}{index:030d}", f"message {round_}")
    for interaction in Interaction.objects.filter(state="assigned"):
        deliver(create_reply(interaction.pk, sender=None, body="Hello"))
        close_interaction(interaction.pk)
    drain_outbox()

    events = dict(Event.objects.values_list("id", "type"))
    acknowledged = receiver.acknowledged()
    assert set(acknowledged) == {str(i) for i in events}  # none lost
    assert set(acknowledged.values()) == {1}  # none doubled
    failures = [r for r in receiver.requests if r["status"] == 500]
    assert len(failures) == len(events)  # each was retried after its failure
    counts = {kind: list(events.values()).count(kind) for kind in set(events.values())}
    assert counts["interaction.created"] == Interaction.objects.count() == 6
    assert (
        counts["message.received"]
        == Message.objects.filter(direction=Direction.INBOUND).count()
        == 12
    )
    assert counts["message.sent"] == Message.objects.filter(direction=Direction.OUTBOUND).count()
    assert counts["interaction.closed"] == Interaction.objects.filter(state="closed").count()
    assert counts["interaction.assigned"] == Interaction.objects.exclude(assigned_at=None).count()


def test_a_rolled_back_change_sends_no_event(endpoint, receiver, service, agent, run_tasks):
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_writes(service, "+393330000001", "SM1")
        assert (
            Event.objects.exists() and DBTaskResult.objects.exists()
        )  # written in the same transaction...
        raise RuntimeError("the change fails")
    assert not Event.objects.exists() and not Delivery.objects.exists()  # ...and gone with it
    assert not DBTaskResult.objects.exists()  # the task too
    run_tasks()
    assert receiver.requests == []


def test_without_endpoints_nothing_is_written(db, service, agent):
    customer_writes(service, "+393330000001", "SM1")
    assert not Event.objects.exists()


def test_an_endpoint_gets_only_the_events_it_asked_for(receiver, service, agent, db, drain_outbox):
    from hooks.actions import create_endpoint

    create_endpoint(url=receiver.url, event_types=["interaction.closed"])
    interaction = customer_writes(service, "+393330000001", "SM1").interaction
    close_interaction(interaction.pk)
    drain_outbox()
    assert [e["type"] for e in receiver.events()] == ["interaction.closed"]


def test_an_inactive_endpoint_keeps_its_deliveries_for_later(
    endpoint, receiver, service, agent, run_tasks, settings, drain_outbox
):
    customer_writes(service, "+393330000001", "SM1")
    endpoint.is_active = False
    endpoint.save()
    run_tasks()
    assert (
        receiver.requests == []
        and Delivery.objects.filter(state=DeliveryState.PENDING, attempts=0).count() == 3
    )
    endpoint.is_active = True
    endpoint.save()
    settings.OCC_WEBHOOK_SWEEP_GRACE_SECONDS = 0
    assert hooks_delivery.sweep() == 3  # the sweep finds them once the endpoint is active again
    drain_outbox()
    assert len(receiver.acknowledged()) == Event.objects.count() == 3


def test_a_delivery_whose_task_was_lost_is_found_by_the_sweep_and_sent_once(
    endpoint, receiver, service, agent, settings, run_tasks
):
    settings.OCC_WEBHOOK_SWEEP_GRACE_SECONDS = 60
    customer_writes(service, "+393330000001", "SM1")
    DBTaskResult.objects.all().delete()  # as if the engine had been unreachable at the enqueue
    assert hooks_delivery.sweep() == 0  # not overdue yet: its task may still be on its way
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=61))
    assert hooks_delivery.sweep() == 3
    assert hooks_delivery.sweep() == 0  # asked once, not at every sweep
    run_tasks()
    assert len(receiver.requests) == 3 and set(receiver.acknowledged().values()) == {1}


def test_an_attempt_already_claimed_or_made_is_not_made_again(
    endpoint, receiver, service, agent, run_tasks
):
    from hooks.delivery import attempt, claim

    customer_writes(service, "+393330000001", "SM1")
    pk = Delivery.objects.order_by("id").values_list("pk", flat=True).first()
    assert claim(pk, 1) and not claim(pk, 1)  # a second worker cannot take it
    Delivery.objects.filter(pk=pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert claim(pk, 1)  # a crashed worker's claim expires
    Delivery.objects.filter(pk=pk).update(lease_until=None)
    assert attempt(pk, 1) is not None
    assert attempt(pk, 1) is None and attempt(pk, 3) is None  # made already; not its turn
    assert len(receiver.requests) == 1


def test_old_finished_events_are_deleted_and_pending_ones_kept(
    endpoint, receiver, service, agent, settings, run_tasks
):
    settings.OCC_WEBHOOK_KEEP_DAYS = 30
    customer_writes(service, "+393330000001", "SM1")
    run_tasks()
    customer_writes(service, "+393330000002", "SM2")  # its deliveries still pending
    Event.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert hooks_delivery.prune() == 3
    assert (
        Event.objects.count() == 3
        and not Delivery.objects.exclude(state=DeliveryState.PENDING).exists()
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_send_an_event_twice(receiver, service, make_agent):
    import threading

    from django.db import connection
    from django_tasks_db.management.commands.db_worker import Worker

    from engine.actions import enqueue
    from hooks import tasks as hooks_tasks
    from hooks.actions import create_endpoint

    make_agent("alex", presence=Presence.ONLINE, max_interactions=50)
    create_endpoint(url=receiver.url)
    for index in range(15):
        customer_writes(service, f"+3933310{index:05d}", f"SM{index:032d}")
    expected = {str(i) for i in Event.objects.values_list("id", flat=True)}
    # The same attempts asked for again, as a sweep would: claims keep them single.
    for pk, attempts in Delivery.objects.values_list("pk", "attempts"):
        enqueue(hooks_tasks.deliver, pk, attempts + 1)

    def worker(n):
        try:
            Worker(
                queue_names=["*"],
                interval=0,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=f"w{n}",
                excluded_queue_names=[],
            ).run()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    acknowledged = receiver.acknowledged()
    assert set(acknowledged) == expected and set(acknowledged.values()) == {1}
    assert len(receiver.requests) == len(expected)


def test_a_stale_list_of_endpoints_never_writes_a_delivery_for_an_inactive_one(
    endpoint, receiver, service, agent
):
    from hooks.outbox import active_endpoints

    assert [pk for pk, _types in active_endpoints()] == [endpoint.pk]  # remembered
    Endpoint.objects.filter(pk=endpoint.pk).update(
        is_active=False
    )  # as another process would, unseen here
    customer_writes(service, "+393330000001", "SM1")
    assert not Event.objects.exists() and not Delivery.objects.exists()


def test_the_receiving_path_costs_no_query_without_webhooks(
    service, agent, django_assert_max_num_queries
):
    from hooks.outbox import active_endpoints, record

    active_endpoints()  # remembered: none
    with django_assert_max_num_queries(0):
        assert record("interaction.closed", {"interaction": {}}) is None
