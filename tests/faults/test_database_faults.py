"""The database failing or unreachable: webhooks get a 5xx and nothing is half-written.

Twilio treats a non-2xx answer as a failed delivery, so a 5xx lets its
fallback URL and retries apply; a 200 for a message that was not stored
would lose it for good.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection

from interactions.models import Contact, Interaction, Message
from tests.conftest import load_payload

INBOUND = "/whatsapp/twilio/inbound"
STATUS = "/whatsapp/twilio/status"


class FailOn:
    """A database execute wrapper that raises OperationalError on matching statements."""

    def __init__(self, fragment: str):
        self.fragment = fragment
        self.failed = 0

    def __call__(self, execute, sql, params, many, context):
        if self.fragment in sql:
            self.failed += 1
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    [
        'INSERT INTO "interactions_contact"',
        'INSERT INTO "interactions_interaction"',
        'INSERT INTO "interactions_message"',
    ],
)
def test_a_failing_write_is_a_503_and_leaves_nothing_half_written(
    signed_post, service, agent, statement
):
    failure = FailOn(statement)
    with connection.execute_wrapper(failure):
        response = signed_post(INBOUND, load_payload("inbound_text"))
    assert failure.failed == 1
    assert response.status_code == 503 and response["Retry-After"]
    assert (
        not Message.objects.exists()
        and not Interaction.objects.exists()
        and not Contact.objects.exists()
    )
    # Twilio's retry then stores the message, once.
    assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
    assert Message.objects.count() == 1 and Interaction.objects.get().agent == agent


@pytest.mark.django_db
def test_the_settings_read_failing_is_a_503_not_a_403(signed_post, service):
    with connection.execute_wrapper(FailOn('FROM "advanced_settings_chatchannelsettings"')):
        response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 503


@pytest.mark.django_db
def test_a_status_callback_that_cannot_be_stored_is_a_503(signed_post, service, agent):
    from interactions.actions.inbound import InboundMessage, receive_inbound
    from interactions.actions.outbound import create_reply

    result = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393331234567", provider_id="SM" + "2" * 32, body="x"
        ),
    )
    reply = create_reply(result.interaction.pk, sender=agent.user, body="ok")
    sid = "SM" + "3" * 32
    with connection.execute_wrapper(FailOn('UPDATE "interactions_message"')):
        response = signed_post(
            f"{STATUS}?m={reply.pk}", {"MessageSid": sid, "MessageStatus": "delivered"}
        )
    assert response.status_code == 503
    reply.refresh_from_db()
    assert reply.status == "pending" and not reply.provider_id


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_unreachable_database_is_a_503_then_the_retry_is_stored(
    signed_post, service, agent, refused_port
):
    """The connection points at a closed port, as when PostgreSQL restarts."""
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.close_pool()  # a pool keeps the address it was opened with
    connection.settings_dict["PORT"] = str(refused_port)
    try:
        response = signed_post(INBOUND, load_payload("inbound_text"))
    finally:
        connection.close()
        connection.close_pool()
        connection.settings_dict["PORT"] = real_port
    assert response.status_code == 503
    assert not Message.objects.exists()
    assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
    assert Message.objects.count() == 1
