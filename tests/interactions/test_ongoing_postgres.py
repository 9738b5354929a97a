"""A message in an open conversation is stored by one SQL statement (interactions.fastpaths.receive_in_open_interaction).

Against PostgreSQL only: the statement is a data-modifying WITH, which
SQLite lacks, and the concurrent close needs real row locks.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from interactions import notify
from interactions.actions import inbound as inbound_actions
from interactions.actions import watching
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.lifecycle import close_interaction
from interactions.fastpaths import receive_in_open_interaction as ongoing
from interactions.models import Contact, Interaction, Message
from interactions.payloads import message_dict
from tests.interactions.conftest import sid
from tests.interactions.postgres_helpers import (
    at,
    database,
    fields,
    own_statements,
    race_behind_lock,
)

pytestmark = pytest.mark.postgres

ADDRESS = "+393330001111"


def inbound(**overrides) -> InboundMessage:
    values = {
        "channel": "whatsapp",
        "address": ADDRESS,
        "provider_id": sid(),
        "body": "hello",
        "name": "Maria Rossi",
        "external_id": ADDRESS[1:],
    }
    values.update(overrides)
    return InboundMessage(**values)


@pytest.fixture
def calls(monkeypatch):
    """What each call of append_to_open_interaction made by receive_inbound returned (or raised)."""
    seen = []
    original = ongoing.append_to_open_interaction

    def spy(*args, **kwargs):
        try:
            result = original(*args, **kwargs)
        except Exception as exc:
            seen.append(exc)
            raise
        seen.append(result)
        return result

    monkeypatch.setattr(inbound_actions, "append_to_open_interaction", spy)
    return seen


@pytest.mark.django_db
class TestOpenConversation:
    def test_second_message_is_one_statement_storing_every_field(self, service, agent, calls):
        """The second message costs one statement; it stores every field and bumps the version by one."""
        from hooks import outbox

        first = receive_inbound(service, inbound(), now=at(0))
        assert first.created_interaction and first.interaction.state == "assigned"
        before = Interaction.objects.get(pk=first.interaction.pk)
        message_in = inbound(
            body="Ecco la foto dello scontrino",
            attachments=[{"url": "https://api.twilio.com/media/ME1", "content_type": "image/jpeg"}],
            extras={"location": {"latitude": 45.46, "longitude": 9.19, "label": "Duomo"}},
            payload={"MessageSid": "SMx", "NumMedia": "1", "ProfileName": "Maria Rossi"},
        )
        # The outbox's endpoint list is read once and cached: warm, as in steady state.
        outbox.active_endpoints()

        with CaptureQueriesContext(connection) as queries:
            result = receive_inbound(service, message_in, now=at(3))

        work = own_statements(queries)
        assert len(work) == 1 and work[0].startswith("WITH contact AS"), work
        assert calls[-1] is not None and not result.created_interaction and not result.duplicate

        stored = Message.objects.get(provider_id=message_in.provider_id)
        assert stored.interaction_id == before.pk
        assert stored.direction == "in"
        assert stored.body == message_in.body
        assert stored.attachments == message_in.attachments
        assert stored.extras == message_in.extras
        assert stored.payload == message_in.payload
        assert stored.status == "received"
        assert stored.created_at == at(3) and stored.status_updated_at == at(3)
        assert (
            stored.sender_id is None
            and stored.template_id == ""
            and stored.template_variables == {}
        )
        assert stored.send_key is not None and stored.send_key != first.message.send_key

        after = Interaction.objects.get(pk=before.pk)
        assert after.version == before.version + 1
        assert after.last_inbound_at == at(3)
        # Nothing else about the interaction changed.
        assert {
            **fields(after),
            "version": before.version,
            "last_inbound_at": before.last_inbound_at,
        } == fields(before)

        # What it returns is what the database holds, JSON fields loaded as Python objects.
        assert fields(result.message) == fields(stored)
        assert fields(result.interaction) == fields(after)
        assert isinstance(result.message.attachments, list)
        assert isinstance(result.message.extras, dict) and isinstance(result.message.payload, dict)
        assert result.interaction.service == service

    def test_a_queued_conversation_takes_the_same_path(self, service, calls):
        """With nobody to assign it, the open interaction is queued and still gets the message."""
        first = receive_inbound(service, inbound(), now=at(0))
        assert first.interaction.state == "queued"
        version = Interaction.objects.get(pk=first.interaction.pk).version

        second = receive_inbound(service, inbound(body="still there?"), now=at(1))

        assert calls[-1] is not None
        assert (
            second.interaction.pk == first.interaction.pk and second.interaction.state == "queued"
        )
        assert Interaction.objects.get(pk=first.interaction.pk).version == version + 1
        assert Message.objects.filter(interaction=first.interaction).count() == 2


@pytest.mark.django_db
class TestFallsBackToTheGeneralPath:
    """None, with nothing written, whenever the general path must decide."""

    def test_new_contact(self, service, agent, calls):
        """An unknown customer: nothing written; receive_inbound then creates the contact and interaction."""
        before = database()
        assert ongoing.append_to_open_interaction(service.pk, inbound(), at(0)) is None
        assert database() == before

        result = receive_inbound(service, inbound(), now=at(0))
        assert calls == [None]
        assert result.created_interaction and Contact.objects.filter(address=ADDRESS).exists()

    def test_only_a_closed_interaction(self, service, agent, calls):
        """A closed conversation is never written to; receive_inbound opens a new one."""
        first = receive_inbound(service, inbound(), now=at(0))
        close_interaction(first.interaction.pk, now=at(1))
        before = database()
        assert ongoing.append_to_open_interaction(service.pk, inbound(), at(2)) is None
        assert database() == before

        result = receive_inbound(service, inbound(), now=at(2))
        assert calls[-1] is None
        assert result.created_interaction and result.interaction.pk != first.interaction.pk
        assert Message.objects.filter(interaction=first.interaction).count() == 1

    def test_open_interaction_with_another_service(self, service, agent, calls):
        """A conversation open with another service is left alone; this service gets a new one."""
        from services.models import Service

        other = Service.objects.create(
            name="Sales", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390298765432"
        )
        elsewhere = receive_inbound(other, inbound(), now=at(0))
        assert elsewhere.interaction.state == "queued"
        before = database()
        assert ongoing.append_to_open_interaction(service.pk, inbound(), at(1)) is None
        assert database() == before

        result = receive_inbound(service, inbound(), now=at(1))
        assert calls == [None, None]
        assert result.created_interaction and result.interaction.service_id == service.pk
        assert Message.objects.filter(interaction=elsewhere.interaction).count() == 1

    def test_profile_name_changed(self, service, agent, calls):
        """A new profile name: nothing written; the general path saves it and stores the message in the open interaction."""
        first = receive_inbound(service, inbound(), now=at(0))
        version = Interaction.objects.get(pk=first.interaction.pk).version
        renamed = inbound(name="Maria Bianchi")
        before = database()
        assert ongoing.append_to_open_interaction(service.pk, renamed, at(1)) is None
        assert database() == before

        result = receive_inbound(service, renamed, now=at(1))
        assert calls[-1] is None
        # The WhatsApp profile name follows the customer; the name agents know them by stays.
        contact = Contact.objects.get(address=ADDRESS)
        assert (contact.profile_name, contact.name) == ("Maria Bianchi", "Maria Rossi")
        assert not result.created_interaction and result.interaction.pk == first.interaction.pk
        assert Interaction.objects.get(pk=first.interaction.pk).version == version + 1
        assert (
            Message.objects.get(provider_id=renamed.provider_id).interaction_id
            == first.interaction.pk
        )

    def test_external_id_changed(self, service, agent, calls):
        """A new WhatsApp id: nothing written; the general path saves it."""
        receive_inbound(service, inbound(), now=at(0))
        moved = inbound(external_id="393330002222")
        before = database()
        assert ongoing.append_to_open_interaction(service.pk, moved, at(1)) is None
        assert database() == before

        receive_inbound(service, moved, now=at(1))
        assert calls[-1] is None
        assert Contact.objects.get(address=ADDRESS).external_id == "393330002222"

    def test_empty_name_and_id_match_what_is_stored(self, service, agent):
        """A message without profile name or id still continues the conversation (nothing to save)."""
        first = receive_inbound(service, inbound(), now=at(0))
        result = ongoing.append_to_open_interaction(
            service.pk, inbound(name="", external_id=""), at(1)
        )
        assert result is not None and result[0].pk == first.interaction.pk
        contact = Contact.objects.get(address=ADDRESS)
        assert (contact.name, contact.external_id) == ("Maria Rossi", ADDRESS[1:])


class TestRepeatedMessageSid:
    @pytest.mark.django_db(transaction=True)
    def test_statement_raises_and_leaves_the_interaction_alone(self, service, agent):
        """The unique MessageSid undoes the whole statement, the interaction's update included.

        Run in autocommit, outside any transaction: had the update been a
        statement of its own, it would have been committed.
        """
        first = receive_inbound(service, inbound(), now=at(0))
        before = database()
        assert not connection.in_atomic_block and connection.get_autocommit()
        with pytest.raises(IntegrityError):
            ongoing.append_to_open_interaction(
                service.pk, inbound(provider_id=first.message.provider_id), at(1)
            )
        assert database() == before

    @pytest.mark.django_db
    def test_receive_inbound_reports_a_duplicate(self, service, agent, calls):
        """Through receive_inbound: duplicate, one row, the version unchanged."""
        first = receive_inbound(service, inbound(), now=at(0))
        version = Interaction.objects.get(pk=first.interaction.pk).version

        again = receive_inbound(service, inbound(provider_id=first.message.provider_id), now=at(1))

        assert isinstance(calls[-1], IntegrityError)
        assert again.duplicate and again.message is None
        assert Message.objects.filter(provider_id=first.message.provider_id).count() == 1
        reread = Interaction.objects.get(pk=first.interaction.pk)
        assert reread.version == version and reread.last_inbound_at == at(0)


@pytest.mark.django_db
class TestPushes:
    def test_message_created_goes_to_the_assigned_agent(
        self, service, agent, calls, sent, django_capture_on_commit_callbacks
    ):
        """The one-statement path pushes message.created to the agent's group only, with the message's JSON."""
        first = receive_inbound(service, inbound(), now=at(0))
        assert first.interaction.agent_id == agent.pk
        message_in = inbound(
            body="any news?",
            attachments=[{"url": "https://x/ME2", "content_type": "application/pdf"}],
        )

        with django_capture_on_commit_callbacks(execute=True):
            receive_inbound(service, message_in, now=at(2))

        assert calls[-1] is not None
        stored = Message.objects.get(provider_id=message_in.provider_id)
        assert sent == [
            (
                [notify.agent_group(agent.pk)],
                {
                    "type": "message.created",
                    "interaction_id": first.interaction.pk,
                    "message": message_dict(stored),
                },
            )
        ]

    def test_queued_conversation_pushes_to_no_desk(
        self, service, calls, sent, django_capture_on_commit_callbacks
    ):
        """No agent yet: the message is stored through the statement and pushed to no desk."""
        first = receive_inbound(service, inbound(), now=at(0))
        with django_capture_on_commit_callbacks(execute=True):
            second = receive_inbound(service, inbound(), now=at(1))
        assert calls[-1] is not None
        assert second.interaction.pk == first.interaction.pk
        assert Message.objects.filter(pk=second.message.pk).exists()
        # No agent's desk, and nobody watching it: no publish at all.
        assert sent == []

    def test_a_watched_conversation_pushes_to_its_watchers_read_back_with_the_row(
        self, service, agent, calls, sent, django_capture_on_commit_callbacks
    ):
        """The statement returns the interaction's watch mark with the row it updates."""
        first = receive_inbound(service, inbound(), now=at(0))
        watching.mark_watched(first.interaction.pk)
        with django_capture_on_commit_callbacks(execute=True):
            second = receive_inbound(service, inbound(body="still there?"), now=at(1))
        assert calls[-1] is not None and second.interaction.is_watched()
        assert [groups for groups, _event in sent] == [
            [notify.agent_group(agent.pk), notify.watch_group(first.interaction.pk)]
        ]


@pytest.mark.django_db(transaction=True)
def test_conversation_closed_meanwhile_gets_a_new_interaction(service, agent, calls):
    """A message waiting on a close in progress lands in a new interaction, never in the closed one.

    Thread A closes the interaction and holds its row lock; thread B's
    statement waits on that lock (checked in pg_stat_activity); after A
    commits, B's statement matches nothing and the general path opens a new
    interaction.
    """
    first = receive_inbound(service, inbound(), now=at(0))
    calls.clear()
    outcome = race_behind_lock(
        lambda: close_interaction(first.interaction.pk, now=at(1)),
        lambda: receive_inbound(service, inbound(body="are you there?"), now=at(2)),
        waits_in="WITH contact AS",
    )

    result = outcome["meanwhile"]
    closed = Interaction.objects.get(pk=first.interaction.pk)
    assert calls == [None]  # B's statement matched nothing once A had committed
    assert result.created_interaction and result.interaction.pk != closed.pk
    assert (
        Message.objects.get(provider_id=result.message.provider_id).interaction_id
        == result.interaction.pk
    )
    # The closed interaction is exactly as A left it.
    assert closed.state == "closed" and closed.version == outcome["held"].version
    assert closed.last_inbound_at == at(0)
    assert list(closed.messages.values_list("provider_id", flat=True)) == [
        first.message.provider_id
    ]
    assert Interaction.objects.get(pk=result.interaction.pk).state in ("queued", "assigned")
