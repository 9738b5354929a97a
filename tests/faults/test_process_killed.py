"""A server process killed (SIGKILL) in the middle of a webhook or a reply: nothing lost or half-written.

Each case runs the real handling code in a child process against the same
PostgreSQL test database, kills it at a chosen statement, then checks what
the database holds and that the recovery path (Twilio's retry, the next
send attempt, Twilio's status callback) ends with everything exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from twilio.request_validator import RequestValidator

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import create_reply
from interactions.models import AssignmentEvent, Contact, Interaction, Message, MessageStatus
from tests.conftest import AUTH_TOKEN, CUSTOMER_NUMBER, load_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
INBOUND = "/whatsapp/twilio/inbound"


def run_worker(point: str, job: dict, *, twilio_base: str = "") -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"REDIS_URL", "OCC_PUBLIC_BASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="occ.settings",
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        DB_CONN_MAX_AGE="0",
    )
    if twilio_base:
        env.update(TWILIO_API_BASE_URL=twilio_base, TWILIO_MESSAGING_BASE_URL=twilio_base)
    return subprocess.run(
        [sys.executable, "-m", "tests.faults.crash_worker", point, json.dumps(job)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_killed(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == -signal.SIGKILL, (
        f"the worker was not killed: {result.stdout} {result.stderr[-2000:]}"
    )


def webhook_job(params: dict) -> dict:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "http://testserver" + INBOUND, params
    )
    return {"kind": "webhook", "path": INBOUND, "body": urlencode(params), "signature": signature}


@pytest.mark.parametrize(
    "point", ["inbound-after-interaction-insert", "inbound-after-message-insert"]
)
def test_a_webhook_killed_mid_transaction_leaves_nothing_and_twilios_retry_stores_it(
    signed_post, service, agent, point
):
    payload = load_payload("inbound_text")
    assert_killed(run_worker(point, webhook_job(payload)))
    # Killed before the commit: PostgreSQL rolled everything back, and Twilio got no 200.
    assert not Message.objects.exists()
    assert not Interaction.objects.exists() and not AssignmentEvent.objects.exists()
    assert not Contact.objects.exists()
    # Twilio retries (or calls the fallback URL): stored once, routed once.
    assert signed_post(INBOUND, payload).status_code == 200
    assert signed_post(INBOUND, payload).status_code == 200
    assert Message.objects.count() == 1
    assert Interaction.objects.get().agent == agent


def test_a_reply_killed_mid_transaction_leaves_nothing(service, agent):
    result = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "4" * 32, body="Hi"
        ),
    )
    interaction = result.interaction
    job = {
        "kind": "reply",
        "interaction_id": interaction.pk,
        "sender_id": agent.user_id,
        "body": "On it",
    }
    assert_killed(run_worker("reply-after-message-insert", job))
    interaction.refresh_from_db()
    assert not Message.objects.filter(direction="out").exists()
    assert interaction.first_reply_at is None, "the interaction was not half-updated"
    # The agent sends again: one reply.
    create_reply(interaction.pk, sender=agent.user, body="On it")
    assert Message.objects.filter(direction="out").count() == 1


@pytest.fixture
def stored_reply(service, agent):
    result = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "5" * 32, body="Hi"
        ),
    )
    return create_reply(result.interaction.pk, sender=agent.user, body="Here is your answer")


def test_a_send_killed_before_reaching_twilio_is_retried_and_sent_once(
    fake_twilio, fake_twilio_server, stored_reply, attempt
):
    job = {"kind": "deliver", "message_id": stored_reply.pk}
    assert_killed(run_worker("deliver-before-twilio", job, twilio_base=fake_twilio_server.base_url))
    stored_reply.refresh_from_db()
    assert stored_reply.status == MessageStatus.PENDING and stored_reply.send_attempts == 1
    assert fake_twilio.sent_messages() == []
    # No task: the killed process never recorded the attempt; the sweep finds it.
    stored_reply = attempt(stored_reply, sweep=True)
    assert stored_reply.status == MessageStatus.QUEUED
    assert [m["body"] for m in fake_twilio.sent_messages()] == ["Here is your answer"]


def test_a_send_killed_after_twilio_accepted_is_tied_by_the_callback_and_not_resent(
    fake_twilio, fake_twilio_server, stored_reply, signed_post, attempt
):
    """The narrowest window: Twilio has the message, the process died before recording its sid."""
    job = {"kind": "deliver", "message_id": stored_reply.pk}
    assert_killed(run_worker("deliver-after-twilio", job, twilio_base=fake_twilio_server.base_url))
    stored_reply.refresh_from_db()
    assert stored_reply.status == MessageStatus.PENDING and not stored_reply.provider_id
    accepted = fake_twilio.sent_messages()
    assert len(accepted) == 1
    # Twilio's status callback carries our id (?m=) and the MessageSid.
    callback = accepted[0]["_status_callback"]
    assert callback.endswith(f"?m={stored_reply.pk}")
    response = signed_post(
        f"/whatsapp/twilio/status?m={stored_reply.pk}",
        {
            "MessageSid": accepted[0]["sid"],
            "MessageStatus": "sent",
            "AccountSid": accepted[0]["account_sid"],
        },
    )
    assert response.status_code == 200
    # No task: the killed process never recorded the attempt; the sweep finds it.
    stored_reply = attempt(stored_reply, sweep=True)
    assert (
        stored_reply.provider_id == accepted[0]["sid"] and stored_reply.status == MessageStatus.SENT
    )
    assert len(fake_twilio.sent_messages()) == 1, "never sent twice"
