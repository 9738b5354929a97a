"""A status callback that moves a message forward is one UPDATE (interactions.fastpaths.record_status_callback).

Against PostgreSQL only: the statement is an UPDATE … FROM … RETURNING,
and the race between two callbacks needs real row locks.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from interactions import notify
from interactions.actions import outbound, watching
from interactions.actions.outbound import record_status_callback
from interactions.fastpaths import record_status_callback as status_update
from interactions.models import Contact, Interaction, InteractionState, Message, MessageStatus
from interactions.payloads import message_dict
from tests.conftest import load_payload
from tests.interactions.conftest import T0, sid
from tests.interactions.postgres_helpers import (
    at,
    database,
    fields,
    own_statements,
    race_behind_lock,
)
from tests.whatsapp.conftest import OUTBOUND_SID, STATUS

pytestmark = pytest.mark.postgres

TEXT = "Failed to send freeform message because you are outside the allowed window."
_NEW = object()


def callback(message_id, provider_id, status, error_code="", error_message="") -> bool:
    return record_status_callback(
        message_id,
        provider_id=provider_id,
        status=status,
        error_code=error_code,
        error_message=error_message,
    )


def reread(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def status_push(agent_id: int, stored: Message, watched: bool = False) -> tuple[list[str], dict]:
    return (
        [notify.agent_group(agent_id)]
        + ([notify.watch_group(stored.interaction_id)] if watched else []),
        {
            "type": "message.status",
            "interaction_id": stored.interaction_id,
            "message": message_dict(stored),
        },
    )


@pytest.fixture(autouse=True)
def warm_outbox():
    """The outbox's endpoint list is read once and cached: warm, as in steady state."""
    from hooks import outbox

    outbox.active_endpoints()


@pytest.fixture
def conversation(service, agent):
    contact = Contact.objects.create(address="+393331234567", name="Maria Rossi")
    return Interaction.objects.create(
        service=service,
        contact=contact,
        state=InteractionState.ASSIGNED,
        agent=agent,
        last_inbound_at=T0,
    )


@pytest.fixture
def reply(conversation):
    """reply(status="queued", provider_id=<a new SID>, **fields): a message of the conversation."""

    def make(status="queued", provider_id=_NEW, direction="out", **values):
        return Message.objects.create(
            interaction=conversation,
            direction=direction,
            provider_id=sid() if provider_id is _NEW else provider_id,
            body="Ciao",
            status=status,
            created_at=T0,
            status_updated_at=T0,
            **values,
        )

    return make


@pytest.fixture
def moved(monkeypatch):
    """What each advance_status call made by record_status_callback returned."""
    seen = []
    original = status_update.advance_status

    def spy(*args, **kwargs):
        result = original(*args, **kwargs)
        seen.append(result)
        return result

    monkeypatch.setattr(outbound, "advance_status", spy)
    return seen


@pytest.mark.django_db
class TestForward:
    @pytest.mark.parametrize("by_our_id", [True, False], ids=["by-our-id", "by-message-sid"])
    def test_sent_delivered_read_are_one_update_each(
        self, reply, agent, moved, sent, django_capture_on_commit_callbacks, by_our_id
    ):
        """Each step is one UPDATE; it stores the status and its time and pushes the stored row to the agent."""
        message = reply()
        for status in ("sent", "delivered", "read"):
            moved.clear()
            sent.clear()
            before = timezone.now()
            with django_capture_on_commit_callbacks(execute=True):
                with CaptureQueriesContext(connection) as queries:
                    changed = callback(
                        message.pk if by_our_id else None, message.provider_id, status
                    )
            after = timezone.now()

            assert changed is True
            statements = own_statements(queries)
            assert len(statements) == 1, statements
            stored = reread(message)
            assert stored.status == status
            assert before <= stored.status_updated_at <= after
            # Nothing else about the message changed.
            assert {
                **fields(stored),
                "status": message.status,
                "status_updated_at": message.status_updated_at,
            } == fields(message)
            # What the statement returns is the stored row, and who holds the conversation.
            assert len(moved) == 1 and moved[0] is not None
            returned, agent_id, watched = moved[0]
            assert fields(returned) == fields(stored)
            assert agent_id == agent.pk and watched is False
            # To the agent's desk only: no supervisors' group.
            assert sent == [status_push(agent.pk, stored)]
            message = stored

    def test_queued_conversation_pushes_to_no_desk(
        self, reply, conversation, moved, sent, django_capture_on_commit_callbacks
    ):
        """Nobody holds the conversation: the status is stored by the statement and pushed to no desk."""
        Interaction.objects.filter(pk=conversation.pk).update(
            state=InteractionState.QUEUED, agent=None
        )
        message = reply()
        with django_capture_on_commit_callbacks(execute=True):
            assert callback(message.pk, message.provider_id, "delivered") is True
        assert len(moved) == 1 and moved[0] is not None and moved[0][1] is None
        assert reread(message).status == "delivered"
        # No agent's desk, and nobody watching it: no publish at all.
        assert sent == []

    def test_a_watched_conversations_status_reaches_its_watchers(
        self, reply, agent, conversation, moved, sent, django_capture_on_commit_callbacks
    ):
        watching.mark_watched(conversation.pk)
        message = reply()
        with django_capture_on_commit_callbacks(execute=True):
            assert callback(message.pk, message.provider_id, "delivered") is True
        assert moved[0] is not None and moved[0][2] is True
        assert sent == [status_push(agent.pk, reread(message), watched=True)]


@pytest.mark.django_db
class TestOutOfOrder:
    def test_late_sent_after_delivered_changes_nothing(
        self, reply, agent, moved, sent, django_capture_on_commit_callbacks
    ):
        message = reply()
        assert callback(None, message.provider_id, "delivered") is True
        delivered = reread(message)
        moved.clear()
        for message_id in (message.pk, None):
            with django_capture_on_commit_callbacks(execute=True):
                assert callback(message_id, message.provider_id, "sent") is False
        assert moved == [None, None]
        assert fields(reread(message)) == fields(delivered)
        assert delivered.status == "delivered"
        assert sent == []

    @pytest.mark.parametrize("terminal", ["read", "failed", "undelivered"])
    def test_terminal_status_is_never_replaced(
        self, reply, moved, sent, django_capture_on_commit_callbacks, terminal
    ):
        """No later callback, whatever its status, changes a read, failed or undelivered message."""
        code = "" if terminal == "read" else "63016"
        message = reply(status=terminal, error_code=code, error_message=TEXT if code else "")
        before = database()
        calls = 0
        for status in MessageStatus.values:
            for message_id in (message.pk, None):
                with django_capture_on_commit_callbacks(execute=True):
                    assert callback(message_id, message.provider_id, status) is False, status
                calls += 1
        assert moved == [None] * calls
        assert database() == before
        assert sent == []


@pytest.mark.django_db
class TestWhichMessage:
    @pytest.mark.parametrize("missing", [None, ""], ids=["null-sid", "empty-sid"])
    def test_found_by_our_id_attaches_the_sid(self, reply, agent, moved, missing):
        """The callback can come before Twilio's answer to the send: our id finds it, the SID is attached."""
        message = reply(provider_id=missing)
        new_sid = sid()
        with CaptureQueriesContext(connection) as queries:
            assert callback(message.pk, new_sid, "sent") is True
        statements = own_statements(queries)
        assert len(statements) == 1, statements
        stored = reread(message)
        assert (stored.status, stored.provider_id) == ("sent", new_sid)
        assert fields(moved[0][0]) == fields(stored)

    def test_found_by_sid_without_our_id(self, reply, moved):
        message = reply()
        other = reply()
        with CaptureQueriesContext(connection) as queries:
            assert callback(None, message.provider_id, "delivered") is True
        assert len(own_statements(queries)) == 1
        assert len(moved) == 1 and moved[0][0].pk == message.pk
        assert reread(message).status == "delivered"
        assert fields(reread(other)) == fields(other)

    def test_message_with_another_sid_is_not_touched(
        self, reply, moved, sent, caplog, django_capture_on_commit_callbacks
    ):
        """Our id names a message that Twilio knows by another SID: nothing changes, it is logged."""
        message = reply()
        stranger = sid()
        before = database()
        with caplog.at_level(logging.WARNING, logger="interactions.actions"):
            with django_capture_on_commit_callbacks(execute=True):
                assert callback(message.pk, stranger, "delivered") is False
        assert moved == [None]
        assert database() == before
        assert sent == []
        assert f"unknown message {stranger}" in caplog.text

    def test_unknown_id_and_sid(
        self, reply, moved, sent, caplog, django_capture_on_commit_callbacks
    ):
        message = reply()
        stranger = sid()
        before = database()
        with caplog.at_level(logging.WARNING, logger="interactions.actions"):
            with django_capture_on_commit_callbacks(execute=True):
                assert callback(message.pk + 1000, stranger, "delivered") is False
                assert callback(None, stranger, "read") is False
        assert moved == [None, None]
        assert database() == before
        assert sent == []
        assert caplog.text.count(f"unknown message {stranger}") == 2

    def test_inbound_message_is_never_touched(
        self, reply, moved, sent, caplog, django_capture_on_commit_callbacks
    ):
        """A callback carrying the SID (or the id) of a customer's message changes nothing."""
        inbound = reply(direction="in", status="received")
        before = database()
        attempts = [("sent", ""), ("delivered", ""), ("read", ""), ("failed", "63016")]
        with caplog.at_level(logging.WARNING, logger="interactions.actions"):
            with django_capture_on_commit_callbacks(execute=True):
                for message_id in (inbound.pk, None):
                    for status, code in attempts:
                        assert (
                            callback(
                                message_id, inbound.provider_id, status, code, TEXT if code else ""
                            )
                            is False
                        )
        assert moved == [None] * (2 * len(attempts))
        assert database() == before
        assert sent == []
        assert caplog.text.count(f"unknown message {inbound.provider_id}") == 2 * len(attempts)


@pytest.mark.django_db
class TestErrorCodes:
    def test_failed_stores_the_code_and_twilios_words(
        self, reply, agent, moved, sent, django_capture_on_commit_callbacks
    ):
        message = reply(status="sent")
        with django_capture_on_commit_callbacks(execute=True):
            assert callback(message.pk, message.provider_id, "failed", "63016", TEXT) is True
        stored = reread(message)
        assert (stored.status, stored.error_code, stored.error_message) == ("failed", "63016", TEXT)
        assert len(moved) == 1 and fields(moved[0][0]) == fields(stored)
        assert sent == [status_push(agent.pk, stored)]
        assert sent[0][1]["message"]["error_code"] == "63016"

    def test_a_later_status_without_a_code_keeps_it(self, reply, moved):
        message = reply()
        assert callback(None, message.provider_id, "sent", "63016", TEXT) is True
        assert callback(None, message.provider_id, "delivered") is True
        assert all(result is not None for result in moved) and len(moved) == 2
        stored = reread(message)
        assert (stored.status, stored.error_code, stored.error_message) == (
            "delivered",
            "63016",
            TEXT,
        )
        assert fields(moved[1][0]) == fields(stored)

    def test_a_code_with_a_status_that_does_not_advance_is_still_recorded(
        self, reply, agent, moved, sent, django_capture_on_commit_callbacks
    ):
        """The statement does nothing; the general path records the code, not the status, and pushes it."""
        message = reply(status="delivered")
        with django_capture_on_commit_callbacks(execute=True):
            assert callback(message.pk, message.provider_id, "sent", "63016", TEXT) is False
        assert moved == [None]
        stored = reread(message)
        assert (stored.status, stored.status_updated_at) == ("delivered", T0)
        assert (stored.error_code, stored.error_message) == ("63016", TEXT)
        assert sent == [status_push(agent.pk, stored)]

        # A second code with a status that does not advance does not replace the first.
        sent.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert callback(None, message.provider_id, "sent", "30008", "Unknown error") is False
        assert fields(reread(message)) == fields(stored)
        assert sent == []


class TestRace:
    @pytest.mark.django_db(transaction=True)
    @pytest.mark.parametrize(
        ("held", "waiting", "waiter_moves"),
        [("read", "delivered", False), ("delivered", "read", True)],
        ids=["late-delivered-after-read", "read-after-delivered"],
    )
    def test_callback_waiting_on_another_rechecks_the_status(
        self, reply, agent, moved, sent, held, waiting, waiter_moves
    ):
        """Thread A applies `held` and keeps its transaction open; B's `waiting` waits on A's row lock.

        Once A commits, B's statement re-checks the status against A's: a
        "delivered" behind a "read" changes nothing; a "read" behind a
        "delivered" still moves it forward.
        """
        message = reply(status="sent")
        outcome = race_behind_lock(
            lambda: status_update.advance_status(None, message.provider_id, held, "", "", at(1)),
            lambda: callback(message.pk, message.provider_id, waiting),
        )

        stored = reread(message)
        assert stored.status == "read"
        assert outcome["meanwhile"] is waiter_moves
        if waiter_moves:
            # B's statement matched A's committed row and moved it on.
            assert len(moved) == 1 and moved[0] is not None
            assert fields(moved[0][0]) == fields(stored)
            assert stored.status_updated_at != at(1)
            assert sent == [status_push(agent.pk, stored)]
        else:
            # B's statement matched nothing once A had committed; nor did the general path.
            assert moved == [None]
            assert stored.status_updated_at == at(1)
            assert fields(stored) == fields(outcome["held"][0])
            assert sent == []


@pytest.mark.django_db
def test_signed_status_callback_takes_the_one_statement_path(
    signed_post, reply, agent, moved, sent, django_capture_on_commit_callbacks
):
    """Through the real view: a signed "delivered" callback is one statement, not the general path."""
    message = reply(provider_id=None)  # Twilio's answer to the send not stored yet: found by ?m=
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as queries:
            response = signed_post(f"{STATUS}?m={message.pk}", load_payload("status_delivered"))
    assert response.status_code == 200
    # Besides the signature's read of the account settings: one statement for the message.
    statements = [sql for sql in own_statements(queries) if Message._meta.db_table in sql]
    assert len(statements) == 1, statements
    assert len(moved) == 1 and moved[0] is not None
    stored = reread(message)
    assert (stored.status, stored.provider_id) == ("delivered", OUTBOUND_SID)
    assert sent == [status_push(agent.pk, stored)]
