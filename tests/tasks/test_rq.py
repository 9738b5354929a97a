"""The RQ backend on Redis: the same tasks, and a Twilio webhook that arrives while Redis is down."""

from __future__ import annotations

import logging
import os

import pytest

from hooks import delivery as hooks_delivery
from hooks.models import Delivery, DeliveryState
from interactions.models import Message
from tests.conftest import load_payload
from tests.faults.conftest import private_redis  # noqa: F401

INBOUND = "/whatsapp/twilio/inbound"

pytestmark = pytest.mark.django_db(transaction=True)


def use_rq(settings, url: str) -> None:
    settings.RQ_QUEUES = {"default": {"URL": url + "?socket_connect_timeout=1"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}


def rq_queue():
    import django_rq
    from django_tasks_rq.backend import Job

    return django_rq.get_queue("default", job_class=Job)


def run_rq_worker() -> None:
    """RQ's worker in burst mode, in this process (SimpleWorker: no fork), until the queue is empty."""
    from django_tasks_rq.backend import Job
    from rq.worker import SimpleWorker

    queue = rq_queue()
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(
        burst=True, logging_level="WARNING"
    )


def clear_rq() -> None:
    """Forget every job of the queue and its registries (only RQ's keys: the Redis may be shared)."""
    from rq.registry import (
        FailedJobRegistry,
        FinishedJobRegistry,
        ScheduledJobRegistry,
        StartedJobRegistry,
    )

    queue = rq_queue()
    queue.empty()
    for registry in (
        ScheduledJobRegistry,
        FailedJobRegistry,
        FinishedJobRegistry,
        StartedJobRegistry,
    ):
        jobs = registry(queue=queue)
        for job_id in jobs.get_job_ids():
            jobs.remove(job_id, delete_job=True)


@pytest.fixture
def rq_on_redis_url(settings):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs Redis: set REDIS_URL=redis://...")
    use_rq(settings, os.environ["REDIS_URL"])
    clear_rq()
    yield
    clear_rq()


@pytest.mark.redis
def test_on_rq_the_webhook_s_deliveries_run_on_an_rq_worker(
    rq_on_redis_url, signed_post, endpoint, receiver, service, agent
):
    assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
    assert rq_queue().count == 3 and receiver.requests == []  # queued on Redis after the commit
    run_rq_worker()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    assert len(receiver.acknowledged()) == 3 and set(receiver.acknowledged().values()) == {1}


@pytest.mark.redis
def test_on_rq_a_retry_waits_for_its_backoff_in_rq_s_schedule(
    rq_on_redis_url, signed_post, endpoint, receiver, service, agent, settings
):
    from rq.registry import ScheduledJobRegistry

    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 3600
    receiver.statuses = [500] * 3
    signed_post(INBOUND, load_payload("inbound_text"))
    run_rq_worker()
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    scheduled = ScheduledJobRegistry(queue=rq_queue())
    assert scheduled.count == 3  # each retry waits in RQ's schedule for its run_after


def test_a_webhook_arriving_while_redis_is_down_is_stored_answered_and_delivered_later(
    private_redis,
    settings,
    signed_post,
    endpoint,
    receiver,
    service,
    agent,
    caplog,  # noqa: F811
):
    use_rq(settings, private_redis.url)
    private_redis.kill()
    with caplog.at_level(logging.ERROR, logger="engine.actions"):
        response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200 and b"<Response/>" in response.content  # answered as always
    assert Message.objects.count() == 1  # stored
    assert (
        Delivery.objects.filter(state=DeliveryState.PENDING).count() == 3
    )  # the work is in the outbox
    assert "could not enqueue deliver_event" in caplog.text
    private_redis.start()  # the engine is back
    settings.OCC_WEBHOOK_SWEEP_GRACE_SECONDS = 0
    assert hooks_delivery.sweep() == 3  # the periodic sweep finds what was never enqueued
    run_rq_worker()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}
    assert set(receiver.acknowledged().values()) == {1} and len(receiver.acknowledged()) == 3


def move_due_scheduled_jobs() -> None:
    """What RQ's scheduler (run by `manage.py worker`) does: due scheduled jobs into the queue."""
    from rq.scheduler import RQScheduler

    queue = rq_queue()
    scheduler = RQScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks()
    try:
        scheduler.enqueue_scheduled_jobs()
    finally:
        scheduler.release_locks()


@pytest.mark.redis
def test_on_rq_a_delivery_that_gave_up_is_shown_failed_and_retried_from_the_console(
    rq_on_redis_url, signed_post, endpoint, receiver, service, agent, settings, admin_client
):
    settings.OCC_WEBHOOK_MAX_ATTEMPTS = 2
    receiver.statuses = [500] * 6
    signed_post(INBOUND, load_payload("inbound_text"))
    run_rq_worker()
    move_due_scheduled_jobs()
    run_rq_worker()
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.FAILED}
    page = admin_client.get("/settings/tasks/").content.decode()
    assert 'data-count="failed" class="result-bad">3<' in page and "GaveUp" in page
    from rq.registry import FailedJobRegistry

    failed_id = FailedJobRegistry(queue=rq_queue()).get_job_ids()[0]
    admin_client.post(f"/settings/tasks/{failed_id}/retry/")
    run_rq_worker()
    assert (
        Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == 1
    )  # the receiver answers 200 now


@pytest.mark.redis
def test_on_rq_a_reply_twilio_refused_with_a_503_is_retried_by_an_rq_worker_and_sent_once(
    rq_on_redis_url, fake_twilio, service, agent
):
    from datetime import timedelta

    from django.utils import timezone
    from rq.registry import ScheduledJobRegistry

    from interactions.actions import outbound
    from interactions.actions.inbound import InboundMessage, receive_inbound
    from interactions.models import MessageStatus
    from tests.conftest import CUSTOMER_NUMBER

    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "1" * 32, body="Hi"
        ),
    ).interaction
    clear_rq()  # the inbound message's own work is not under test here
    fake_twilio.fail_next(1, status=503, code=20500, message="Service unavailable")
    message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
    assert message.status == MessageStatus.PENDING and message.send_attempts == 1
    scheduled = ScheduledJobRegistry(queue=rq_queue())
    assert scheduled.count == 1  # the retry waits in RQ's schedule for its backoff
    run_rq_worker()
    assert fake_twilio.sent_messages() == []  # not due: the worker leaves it alone
    # As if the backoff had passed: the row's attempt and the scheduled job are due now.
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    job_id = scheduled.get_job_ids()[0]
    scheduled.remove(job_id)
    rq_queue().connection.zadd(scheduled.key, {job_id: 0})
    move_due_scheduled_jobs()
    run_rq_worker()
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert len(fake_twilio.sent_messages()) == 1
    assert message.provider_id == fake_twilio.sent_messages()[0]["sid"]
    # Run again (a second copy of the job): nothing more is sent.
    from interactions import tasks

    assert tasks.send_reply.call(message.pk, 2) is False
    assert len(fake_twilio.sent_messages()) == 1
