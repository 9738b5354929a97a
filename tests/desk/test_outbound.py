"""Delivering replies: stored first, transient errors retried with backoff, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from interactions.actions import outbound
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import AMBIGUOUS, AMBIGUOUS_WAIT, create_reply, deliver
from interactions.models import MessageStatus
from tests.conftest import CUSTOMER_NUMBER

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def interaction(service, agent):
    return receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "0" * 32, body="Hi"),
    ).interaction


def eventually(check, timeout=5.0):
    """Poll until check() is truthy (the fake stores a slow request after answering late)."""
    import time

    deadline = time.monotonic() + timeout
    while not (value := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def creates(fake) -> list[dict]:
    return [r for r in fake.requests if r["method"] == "POST" and r["path"].endswith("/Messages.json")]


class TestTransientErrors:
    def test_a_503_is_retried_after_backoff_and_sent_once(self, interaction, agent, fake_twilio):
        fake_twilio.fail_next(1, status=503, code=20500, message="Service unavailable")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        assert message.status == MessageStatus.PENDING
        assert message.send_attempts == 1
        assert message.next_attempt_at > timezone.now()
        # Not due yet: the worker leaves it alone.
        assert outbound.process_due() == {"attempted": 0}
        assert len(creates(fake_twilio)) == 1
        result = outbound.process_due(now=message.next_attempt_at + timedelta(seconds=1))
        assert result["attempted"] == 1
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert message.provider_id == fake_twilio.sent_messages()[0]["sid"]
        assert len(fake_twilio.sent_messages()) == 1
        # Nothing more to do, however often the worker runs.
        outbound.process_due(now=timezone.now() + timedelta(hours=1))
        assert len(creates(fake_twilio)) == 2

    def test_a_429_backs_off_exponentially_and_gives_up_after_the_bound(self, interaction, agent, fake_twilio, settings):
        settings.OCC_SEND_MAX_ATTEMPTS = 5
        fake_twilio.fail_next(5, status=429, code=20429, message="Too Many Requests")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        waits = []
        for _ in range(5 - 1):
            waits.append((message.next_attempt_at - timezone.now()).total_seconds())
            outbound.process_due(now=message.next_attempt_at + timedelta(seconds=1))
            message.refresh_from_db()
        assert waits == sorted(waits) and waits[-1] > waits[0]
        assert message.status == MessageStatus.FAILED
        assert message.error_code == "20429"
        assert len(creates(fake_twilio)) == 5
        assert "gave up after 5 attempts" in message.error_message
        assert fake_twilio.sent_messages() == []

    def test_the_background_retry_sends_it(self, interaction, agent, fake_twilio):
        fake_twilio.fail_next(1, status=500, code=20500, message="Internal error")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        from interactions.models import Message

        # Make the retry due now, then let the retry thread run it.
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        outbound.retry_later(message.pk).join(timeout=10)
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert len(fake_twilio.sent_messages()) == 1

    def test_two_workers_racing_send_once(self, interaction, agent, fake_twilio):
        message = create_reply(interaction.pk, sender=agent.user, body="Hello")
        stale_copy = type(message).objects.get(pk=message.pk)
        deliver(message)
        deliver(stale_copy)  # a second worker holding the same row from before
        assert len(creates(fake_twilio)) == 1


class TestAmbiguousTimeout:
    def test_a_timeout_is_settled_by_asking_twilio_not_by_sending_again(self, interaction, agent, fake_twilio, settings):
        settings.TWILIO_TIMEOUT_SECONDS = 0.3
        fake_twilio.delay = 0.8  # Twilio takes the message but answers too late
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        fake_twilio.delay = 0
        assert message.status == MessageStatus.PENDING
        assert message.error_code == AMBIGUOUS
        # The next attempt waits long enough for Twilio's callback or its message list to know.
        assert (message.next_attempt_at - timezone.now()).total_seconds() > AMBIGUOUS_WAIT - 5
        eventually(lambda: fake_twilio.sent_messages())
        [accepted] = fake_twilio.sent_messages()
        assert outbound.process_due(now=message.next_attempt_at + timedelta(seconds=1)) == {"attempted": 1}
        message.refresh_from_db()
        assert message.provider_id == accepted["sid"]
        assert message.status == MessageStatus.QUEUED
        assert len(creates(fake_twilio)) == 1, "the customer got it once"

    def test_the_status_callback_settles_it_even_earlier(self, interaction, agent, fake_twilio, settings, signed_post):
        settings.TWILIO_TIMEOUT_SECONDS = 0.3
        fake_twilio.delay = 0.8
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        fake_twilio.delay = 0
        [accepted] = eventually(lambda: fake_twilio.sent_messages())
        # Twilio's status callback carries our id (?m=) and attaches the SID.
        response = signed_post(
            f"/whatsapp/twilio/status?m={message.pk}",
            {"MessageSid": accepted["sid"], "MessageStatus": "delivered", "AccountSid": accepted["account_sid"]},
        )
        assert response.status_code == 200
        message.refresh_from_db()
        assert (message.provider_id, message.status) == (accepted["sid"], MessageStatus.DELIVERED)
        assert outbound.process_due(now=timezone.now() + timedelta(hours=1)) == {"attempted": 0}
        assert len(creates(fake_twilio)) == 1

    def test_when_twilio_did_not_take_it_the_next_attempt_sends_it_once(self, interaction, agent, fake_twilio, settings):
        settings.TWILIO_TIMEOUT_SECONDS = 0.3
        fake_twilio.fail_next(1, status=503, code=20500, message="Service unavailable", delay=0.8)
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        assert message.error_code == AMBIGUOUS
        outbound.process_due(now=message.next_attempt_at + timedelta(seconds=1))
        message.refresh_from_db()
        assert message.status == MessageStatus.QUEUED
        assert len(fake_twilio.sent_messages()) == 1


class TestPermanentErrors:
    def test_a_refusal_is_shown_on_the_message_in_plain_words(self, interaction, agent, fake_twilio):
        fake_twilio.fail_next(1, status=400, code=21211, message="Invalid 'To' Phone Number")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
        assert message.status == MessageStatus.FAILED
        assert message.error_code == "21211"
        from interactions.selectors import message_view

        view = message_view(message)
        assert view["error_description"] == "The customer's number is not a valid phone number."
        assert view["error_action"] == "Check the contact's number."
        outbound.process_due(now=timezone.now() + timedelta(hours=1))
        assert len(creates(fake_twilio)) == 1

    def test_a_failed_status_callback_explains_63016(self, interaction, agent, fake_twilio, signed_post):
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello", retry_in_background=False)
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


def test_process_outbound_command_runs_one_pass(interaction, agent, fake_twilio, capsys):
    message = create_reply(interaction.pk, sender=agent.user, body="Hello")
    type(message).objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=1))
    call_command("process_outbound")
    assert "attempted 1" in capsys.readouterr().out
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
