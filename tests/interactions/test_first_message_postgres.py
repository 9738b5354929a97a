"""A new customer's first message is stored by one SQL statement (interactions.fastpaths.receive_first_message).

Against PostgreSQL only: the statement is a data-modifying WITH with
ON CONFLICT, which the SQLite path does not use, and the concurrent first
messages need real row locks.
"""

from __future__ import annotations

import itertools

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from interactions.actions import inbound as inbound_actions
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.lifecycle import close_interaction
from interactions.fastpaths import receive_first_message as first_message
from interactions.models import AssignmentEvent, Contact, Interaction, Message
from tests.interactions.conftest import sid
from tests.interactions.postgres_helpers import (
    at,
    database,
    fields,
    own_statements,
    race_behind_lock,
)

pytestmark = pytest.mark.postgres

_numbers = itertools.count(1)


def inbound(address: str | None = None, **overrides) -> InboundMessage:
    n = next(_numbers)
    address = address or f"+3933310{n:05d}"
    values = {
        "channel": "whatsapp",
        "address": address,
        "provider_id": sid(),
        "body": "Buongiorno, il mio ordine non è arrivato",
        "name": "Maria Rossi",
        "external_id": address[1:],
        "attachments": [{"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"}],
        "extras": {"referral": {"source_url": "https://example.com/ad"}},
        "payload": {"MessageSid": "SMx", "ProfileName": "Maria Rossi"},
    }
    values.update(overrides)
    return InboundMessage(**values)


def stored_rows(result) -> dict:
    """What a first message left in the database, without the values that differ per customer."""
    interaction = Interaction.objects.get(pk=result.interaction.pk)
    contact = Contact.objects.get(pk=interaction.contact_id)
    message = Message.objects.get(pk=result.message.pk)
    events = AssignmentEvent.objects.filter(interaction=interaction).order_by("pk")
    return {
        "contact": {**fields(contact), "id": None, "address": None, "external_id": None},
        "interaction": {**fields(interaction), "id": None, "contact_id": None},
        "message": {
            **fields(message),
            "id": None,
            "interaction_id": None,
            "provider_id": None,
            "send_key": None,
        },
        "events": [{**fields(event), "id": None, "interaction_id": None} for event in events],
    }


@pytest.mark.django_db
class TestNewCustomer:
    def test_stored_by_one_statement_before_routing(self, service, agent):
        """The first message's writes are one statement (after the open-conversation lookup misses)."""
        from hooks import outbox

        outbox.active_endpoints()  # cached in steady state
        with CaptureQueriesContext(connection) as queries:
            result = receive_inbound(service, inbound(), now=at(0))

        work = own_statements(queries)
        assert result.created_interaction and result.interaction.agent_id == agent.pk
        # The open-conversation statement finds nothing; the first message's stores it all.
        assert (
            work[0].startswith("WITH contact AS")
            and "UPDATE" in work[0].split("interaction AS")[1][:40]
        )
        assert (
            work[1].startswith("WITH contact AS")
            and "INSERT INTO" in work[1].split("contact AS")[1][:40]
        )
        # No ORM write of the contact, the interaction, its queued event or the message.
        assert not any(sql.startswith('INSERT INTO "interactions_contact"') for sql in work)
        assert not any(sql.startswith('INSERT INTO "interactions_message"') for sql in work)
        assert not any(sql.startswith('INSERT INTO "interactions_interaction"') for sql in work)

    def test_stores_what_the_general_path_stores(self, service, agent, make_agent, monkeypatch):
        """Field for field, the same rows as the general path for the same message, routing included."""
        bea = make_agent("bea")
        fast = receive_inbound(service, inbound(), now=at(0))
        with monkeypatch.context() as patched:
            patched.setattr(inbound_actions, "open_for_new_contact", lambda *args: None)
            general = receive_inbound(service, inbound(), now=at(0))

        fast_rows, general_rows = stored_rows(fast), stored_rows(general)
        # The fast path dates a new contact with the message's time, the
        # general path with the clock's: the same moment outside tests.
        assert Contact.objects.get(pk=fast.interaction.contact_id).created_at == at(0)
        # Numbered one after the other in the service's queue.
        assert (
            fast_rows["interaction"]["queue_order"],
            general_rows["interaction"]["queue_order"],
        ) == (1, 2)
        # Each went to a different agent (the least loaded): compare all else.
        for rows in (fast_rows, general_rows):
            rows["interaction"]["queue_order"] = None
            rows["contact"]["created_at"] = rows["contact"]["updated_at"] = None
            rows["interaction"]["agent_id"] = None
            for event in rows["events"]:
                event["agent_id"] = None
            rows["interaction"]["assignment_reason"] = rows["events"][1]["reason"] = None
        assert fast_rows == general_rows
        assert [event["kind"] for event in fast_rows["events"]] == ["queued", "assigned"]
        assert {fast.interaction.agent_id, general.interaction.agent_id} == {agent.pk, bea.pk}

    def test_returns_what_the_database_holds(self, service, agent):
        """The contact, interaction and message it returns equal a fresh read, JSON loaded."""
        result = first_message.open_for_new_contact(service.pk, inbound(), at(0))
        assert result is not None
        contact, interaction, message = result
        assert fields(contact) == fields(Contact.objects.get(pk=contact.pk))
        assert fields(interaction) == fields(Interaction.objects.get(pk=interaction.pk))
        assert fields(message) == fields(Message.objects.get(pk=message.pk))
        assert interaction.state == "queued" and interaction.contact_id == contact.pk
        assert isinstance(message.attachments, list) and isinstance(message.extras, dict)

    def test_a_queued_first_message_gets_its_place(self, service):
        """Nobody online: the interaction waits with its position, as on the general path."""
        first = receive_inbound(service, inbound(), now=at(0))
        second = receive_inbound(service, inbound(), now=at(1))
        assert (first.queue_position, second.queue_position) == (1, 2)
        assert Interaction.objects.get(pk=second.interaction.pk).state == "queued"


@pytest.mark.django_db
class TestKnownContact:
    def test_writes_nothing_and_the_general_path_decides(self, service, agent):
        """A returning customer (conversation closed): nothing written; a new interaction for the same contact."""
        first = receive_inbound(service, inbound(address="+393331000001"), now=at(0))
        close_interaction(first.interaction.pk, now=at(1))
        before = database(), AssignmentEvent.objects.count()

        assert (
            first_message.open_for_new_contact(service.pk, inbound(address="+393331000001"), at(2))
            is None
        )
        assert (database(), AssignmentEvent.objects.count()) == before

        again = receive_inbound(service, inbound(address="+393331000001"), now=at(2))
        assert (
            again.created_interaction
            and again.interaction.contact_id == first.interaction.contact_id
        )
        assert Contact.objects.filter(address="+393331000001").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_repeated_message_sid_undoes_the_contact_too(service):
    """The unique MessageSid undoes the whole statement: no contact, interaction or event is left.

    Run in autocommit: had the contact been a statement of its own, it would
    have been committed.
    """
    stored = receive_inbound(service, inbound(), now=at(0))
    before = database(), AssignmentEvent.objects.count()
    assert not connection.in_atomic_block and connection.get_autocommit()
    with pytest.raises(IntegrityError):
        first_message.open_for_new_contact(
            service.pk, inbound(provider_id=stored.message.provider_id), at(1)
        )
    assert (database(), AssignmentEvent.objects.count()) == before

    again = receive_inbound(service, inbound(provider_id=stored.message.provider_id), now=at(1))
    assert again.duplicate and (database(), AssignmentEvent.objects.count()) == before


@pytest.mark.django_db(transaction=True)
def test_two_first_messages_of_one_customer_share_one_conversation(service, agent):
    """B's first message waits on A's uncommitted contact, then joins A's conversation.

    Thread A stores the customer's first message and keeps its transaction
    open; thread B's insert of the same contact waits on it (checked in
    pg_stat_activity), writes nothing once A commits, and the general path
    stores B's message in A's interaction.
    """
    address = "+393331000002"
    outcome = race_behind_lock(
        lambda: receive_inbound(service, inbound(address=address), now=at(0)),
        lambda: receive_inbound(service, inbound(address=address, body="hello?"), now=at(0.5)),
        waits_in="WITH contact AS",
    )

    held, meanwhile = outcome["held"], outcome["meanwhile"]
    assert held.created_interaction and not meanwhile.created_interaction
    assert meanwhile.interaction.pk == held.interaction.pk
    assert Contact.objects.filter(address=address).count() == 1
    assert Interaction.objects.filter(contact__address=address).count() == 1
    assert Message.objects.filter(interaction=held.interaction).count() == 2
