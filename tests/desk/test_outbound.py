"""Delivering replies: stored first, transient errors retried with backoff, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from interactions.actions import outbound
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import AMBIGUOUS, AMBIGUOUS_WAIT, create_reply, deliver
from interactions.models import Message, MessageStatus
from tests.conftest import CUSTOMER_NUMBER, make_tasks_due

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def interaction(service, agent):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "0" * 32, body="Hi"
        ),
    ).interaction


def eventually(check, timeout=5.0):
    """Poll until check() is truthy (the fake stores a slow request after answering late)."""
    import time

    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def backoff_passed(message) -> None:
    """As if the reply's backoff had passed: its next attempt and its queued task are due now."""
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    make_tasks_due()


def creates(fake) -> list[dict]:
    return [
        r for r in fake.requests if r["method"] == "POST" and r["path"].endswith("/Messages.json")
    ]


class TestTransientErrors:
    def test_a_503_is_retried_after_backoff_and_sent_once(
        self, interaction, agent, fake_twilio, run_tasks
    ):
        fake_twilio.fail_next(1, status=503, code=20500, message="Service unavailable")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        assert message.status == MessageStatus.PENDING
        assert message.send_attempts == 1
        assert message.next_attempt_at > timezone.now()
        # Not due yet: the worker leaves its task alone.
        assert run_tasks() == 0
        assert len(creates(fake_twilio)) == 1
        backoff_passed(message)
        assert run_tasks() == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert message.provider_id == fake_twilio.sent_messages()[0]["sid"]
        assert len(fake_twilio.sent_messages()) == 1
        # Nothing more to do, however often the worker and the sweep run.
        assert outbound.sweep(now=timezone.now() + timedelta(hours=1)) == 0
        make_tasks_due()
        assert run_tasks() == 0
        assert len(creates(fake_twilio)) == 2

    def test_a_429_backs_off_exponentially_and_gives_up_after_the_bound(
        self, interaction, agent, fake_twilio, settings, run_tasks
    ):
        settings.OCC_SEND_MAX_ATTEMPTS = 5
        fake_twilio.fail_next(5, status=429, code=20429, message="Too Many Requests")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        waits = []
        for _ in range(5 - 1):
            waits.append((message.next_attempt_at - timezone.now()).total_seconds())
            backoff_passed(message)
            assert run_tasks() == 1
            message.refresh_from_db()
        assert waits == sorted(waits) and waits[-1] > waits[0]
        assert message.status == MessageStatus.FAILED
        assert message.error_code == "20429"
        assert len(creates(fake_twilio)) == 5
        assert "gave up after 5 attempts" in message.error_message
        assert fake_twilio.sent_messages() == []

    def test_the_retry_task_sends_it(self, interaction, agent, fake_twilio, run_tasks):
        fake_twilio.fail_next(1, status=500, code=20500, message="Internal error")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        # The retry was enqueued with the failure, for when its backoff is over.
        task = DBTaskResult.objects.get(task_path="interactions.tasks.send_reply")
        assert task.args_kwargs["args"] == [message.pk, 2]
        assert task.run_after == message.next_attempt_at
        backoff_passed(message)
        assert run_tasks() == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert len(fake_twilio.sent_messages()) == 1

    def test_a_retry_task_run_twice_sends_once(self, interaction, agent, fake_twilio):
        """A worker lost after the send: the task runs again and finds its attempt made."""
        from interactions import tasks

        fake_twilio.fail_next(1, status=500, code=20500, message="Internal error")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        backoff_passed(message)
        assert tasks.send_reply.call(message.pk, 2) is True
        assert tasks.send_reply.call(message.pk, 2) is False
        assert len(creates(fake_twilio)) == 2 and len(fake_twilio.sent_messages()) == 1

    def test_two_workers_racing_send_once(self, interaction, agent, fake_twilio):
        message = create_reply(interaction.pk, sender=agent.user, body="Hello")
        stale_copy = type(message).objects.get(pk=message.pk)
        deliver(message)
        deliver(stale_copy)  # a second worker holding the same row from before
        assert len(creates(fake_twilio)) == 1


class TestAmbiguousTimeout:
    def test_a_timeout_is_settled_by_asking_twilio_not_by_sending_again(
        self, interaction, agent, fake_twilio, settings, run_tasks
    ):
        settings.TWILIO_TIMEOUT_SECONDS = 0.3
        fake_twilio.delay = 0.8  # Twilio takes the message but answers too late
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        fake_twilio.delay = 0
        assert message.status == MessageStatus.PENDING
        assert message.error_code == AMBIGUOUS
        # The next attempt waits long enough for Twilio's callback or its message list to know.
        assert (message.next_attempt_at - timezone.now()).total_seconds() > AMBIGUOUS_WAIT - 5
        eventually(lambda: fake_twilio.sent_messages())
        [accepted] = fake_twilio.sent_messages()
        backoff_passed(message)
        assert run_tasks() == 1
        message.refresh_from_db()
        assert message.provider_id == accepted["sid"]
        assert message.status == MessageStatus.QUEUED
        assert len(creates(fake_twilio)) == 1, "the customer got it once"

    def test_the_status_callback_settles_it_even_earlier(
        self, interaction, agent, fake_twilio, settings, signed_post, run_tasks
    ):
        settings.TWILIO_TIMEOUT_SECONDS = 0.3
        fake_twilio.delay = 0.8
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        fake_twilio.delay = 0
        [accepted] = eventually(lambda: fake_twilio.sent_messages())
        # Twilio's status callback carries our id (?m=) and attaches the SID.
        response = signed_post(
            f"/whatsapp/twilio/status?m={message.pk}",
            {
                "MessageSid": accepted["sid"],
                "MessageStatus": "delivered",
                "AccountSid": accepted["account_sid"],
            },
        )
        assert response.status_code == 200
        message.refresh_from_db()
        assert (message.provider_id, message.status) == (accepted["sid"], MessageStatus.DELIVERED)
        # The retry task queued with the timeout runs, and sends nothing; the sweep finds nothing.
        assert outbound.sweep(now=timezone.now() + timedelta(hours=1)) == 0
        backoff_passed(message)
        assert run_tasks() == 1
        message.refresh_from_db()
        assert (message.provider_id, message.status, message.send_attempts) == (
            accepted["sid"],
            MessageStatus.DELIVERED,
            1,
        )
        assert len(creates(fake_twilio)) == 1

    def test_when_twilio_did_not_take_it_the_next_attempt_sends_it_once(
        self, interaction, agent, fake_twilio, settings, run_tasks
    ):
        settings.TWILIO_TIMEOUT_SECONDS = 0.3
        fake_twilio.fail_next(1, status=503, code=20500, message="Service unavailable", delay=0.8)
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        assert message.error_code == AMBIGUOUS
        backoff_passed(message)
        assert run_tasks() == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert len(fake_twilio.sent_messages()) == 1


class TestPermanentErrors:
    def test_a_refusal_is_shown_on_the_message_in_plain_words(
        self, interaction, agent, fake_twilio, run_tasks
    ):
        fake_twilio.fail_next(1, status=400, code=21211, message="Invalid 'To' Phone Number")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        assert message.status == MessageStatus.FAILED
        assert message.error_code == "21211"
        from interactions.selectors import message_view

        view = message_view(message)
        assert view["error_description"] == "The customer's number is not a valid phone number."
        assert view["error_action"] == "Check the contact's number."
        assert outbound.sweep(now=timezone.now() + timedelta(hours=1)) == 0
        make_tasks_due()
        assert run_tasks() == 0
        assert len(creates(fake_twilio)) == 1

    def test_a_failed_status_callback_explains_63016(
        self, interaction, agent, fake_twilio, signed_post
    ):
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
        signed_post(
            f"/whatsapp/twilio/status?m={message.pk}",
            {"MessageSid": message.provider_id, "MessageStatus": "failed", "ErrorCode": "63016"},
        )
        message.refresh_from_db()
        from interactions.selectors import message_view

        view = message_view(message)
        assert view["status"] == "failed"
        assert "24 hours" in view["error_description"]
        assert "template" in view["error_action"]


def test_the_sweep_finds_a_reply_never_tried_and_its_task_sends_it(
    interaction, agent, fake_twilio, run_tasks
):
    """The process died between storing a reply and its first attempt: no task, the periodic sweep finds it."""
    from interactions import tasks

    message = create_reply(interaction.pk, sender=agent.user, body="Hello")
    assert tasks.sweep_outbound() == 0, "a reply just stored is not the sweep's yet"
    type(message).objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    assert tasks.sweep_outbound() == 1
    assert run_tasks() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert len(fake_twilio.sent_messages()) == 1


def test_a_retry_whose_task_was_lost_is_found_by_the_sweep(
    interaction, agent, fake_twilio, run_tasks
):
    """E.g. the engine was unreachable when the failure was recorded."""
    fake_twilio.fail_next(1, status=503, code=20500, message="Service unavailable")
    message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello")
    DBTaskResult.objects.filter(task_path="interactions.tasks.send_reply").delete()
    # Due, but within the sweep's grace: its task may only be a little late.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbound.sweep() == 0
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - outbound.SWEEP_GRACE * 2
    )
    assert outbound.sweep() == 1
    assert run_tasks() == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and len(fake_twilio.sent_messages()) == 1
