"""Twilio slow, busy (429), failing (5xx) or unreachable while an agent replies.

The real twilio client talks over real HTTP to the fake Twilio. A reply is
stored before anything is sent; a transient failure keeps it pending with a
growing backoff; after the last attempt it is failed with the reason; and it
is never sent twice, also when Twilio accepted a request the client gave up on.
The first attempt is made inline; the next ones by the `send_reply` task,
run by the database worker's loop (the `run_tasks` fixture).
"""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import create_reply
from interactions.models import Message, MessageStatus
from tests.conftest import CUSTOMER_NUMBER
from tests.faults.delivery import queued_attempts

pytestmark = pytest.mark.django_db

STATUS = "/whatsapp/twilio/status"


@pytest.fixture
def interaction(service, agent):
    result = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "1" * 32, body="Hi"
        ),
    )
    return result.interaction


@pytest.fixture
def reply(interaction, agent):
    return create_reply(interaction.pk, sender=agent.user, body="We are on it")


def test_busy_twilio_keeps_the_reply_and_the_next_attempt_sends_it_once(
    fake_twilio, reply, attempt
):
    fake_twilio.fail_next(1, status=429, code=20429, message="Too Many Requests")
    reply = attempt(reply)
    assert reply.status == MessageStatus.PENDING and not reply.provider_id
    assert "too many requests" in reply.error_message.lower()
    assert reply.next_attempt_at > timezone.now()
    assert fake_twilio.sent_messages() == []
    reply = attempt(reply)
    assert reply.status == MessageStatus.QUEUED and reply.provider_id.startswith("SM")
    assert [m["body"] for m in fake_twilio.sent_messages()] == ["We are on it"]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_are_retried_later(fake_twilio, reply, status, attempt):
    fake_twilio.fail_next(1, status=status, code=20500, message="Internal error")
    reply = attempt(reply)
    assert reply.status == MessageStatus.PENDING and reply.send_attempts == 1
    reply = attempt(reply)
    assert reply.status == MessageStatus.QUEUED and len(fake_twilio.sent_messages()) == 1


def test_backoff_grows_and_the_last_attempt_fails_with_the_reason(
    fake_twilio, reply, settings, attempt
):
    settings.OCC_SEND_MAX_ATTEMPTS = 4
    fake_twilio.fail_next(10, status=503, code=20500, message="Service unavailable")
    waits = []
    for _ in range(3):
        before = timezone.now()
        reply = attempt(reply)
        assert reply.status == MessageStatus.PENDING
        waits.append((reply.next_attempt_at - before).total_seconds())
    assert waits == sorted(waits) and waits[0] < waits[-1], "each retry waits longer"
    reply = attempt(reply)
    assert reply.status == MessageStatus.FAILED
    assert reply.error_code == "20500" and "gave up after 4 attempts" in reply.error_message
    assert fake_twilio.sent_messages() == []
    reply = attempt(reply)
    assert reply.send_attempts == 4, "a failed reply is not sent by itself again"


def test_refused_connection_is_retried(fake_twilio, reply, settings, refused_port, attempt):
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{refused_port}"
    reply = attempt(reply)
    assert reply.status == MessageStatus.PENDING and reply.error_message, "the reason is shown"
    settings.TWILIO_API_BASE_URL = settings.TWILIO_MESSAGING_BASE_URL  # the fake again
    reply = attempt(reply)
    assert reply.status == MessageStatus.QUEUED and len(fake_twilio.sent_messages()) == 1


def test_twilio_slower_than_the_client_timeout_is_retried(fake_twilio, reply, settings, attempt):
    settings.TWILIO_TIMEOUT_SECONDS = 0.3
    fake_twilio.fail_next(1, status=503, delay=1.0)
    reply = attempt(reply)
    assert reply.status == MessageStatus.PENDING and reply.error_message, "the reason is shown"
    reply = attempt(reply)
    assert reply.status == MessageStatus.QUEUED and len(fake_twilio.sent_messages()) == 1


def test_a_reply_twilio_accepted_after_the_client_gave_up_is_not_sent_again(
    fake_twilio, reply, settings, signed_post, attempt
):
    """The worst case of a slow Twilio: it took the message, but our client had timed out.

    Twilio's status callback carries our message id (?m=) and its MessageSid; once it
    arrived, a retry must not send a second copy to the customer.
    """
    settings.TWILIO_TIMEOUT_SECONDS = 0.3
    fake_twilio.delay = 0.8
    reply = attempt(reply)
    assert reply.status == MessageStatus.PENDING
    fake_twilio.delay = 0
    deadline = time.monotonic() + 5
    while not fake_twilio.sent_messages() and time.monotonic() < deadline:
        time.sleep(0.05)
    accepted = fake_twilio.sent_messages()[0]
    response = signed_post(
        f"{STATUS}?m={reply.pk}",
        {
            "MessageSid": accepted["sid"],
            "SmsSid": accepted["sid"],
            "MessageStatus": "sent",
            "AccountSid": accepted["account_sid"],
        },
    )
    assert response.status_code == 200
    # The retry is a task, queued with the timed-out attempt: it runs, and sends nothing.
    assert queued_attempts(reply) == [[reply.pk, 2]]
    reply = attempt(reply)
    assert queued_attempts(reply) == []
    assert reply.provider_id == accepted["sid"] and reply.status == MessageStatus.SENT
    assert reply.send_attempts == 1, "the task made no attempt of its own"
    assert len(fake_twilio.sent_messages()) == 1, "the customer got the reply once"


def test_a_permanent_refusal_is_shown_at_once_with_the_reason(fake_twilio, reply, attempt):
    fake_twilio.fail_next(1, status=400, code=63016, message="Outside the allowed window")
    reply = attempt(reply)
    assert reply.status == MessageStatus.FAILED and reply.error_code == "63016"
    assert "24 hours" in reply.error_message
    assert Message.objects.get(pk=reply.pk).send_attempts == 1
