"""Each PostgreSQL fast path stores exactly what the general path stores, on the same inputs.

Hypothesis generates the inputs; for each, the general path runs in a
savepoint that is rolled back, then the action (taking its fast path, which
a spy confirms) in another; every column of every row either wrote is
compared, the columns read from the models' `_meta`, so a field added to a
model is compared without touching this file. Only what cannot be equal is
left out: ids drawn from sequences (and the foreign keys to rows created
in the run, compared through the rows they point to) and the random
`send_key`.
"""

from __future__ import annotations

import string
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions import events
from interactions.actions import inbound as inbound_actions
from interactions.actions import outbound
from interactions.fastpaths import (
    receive_first_message,
    receive_in_open_interaction,
)
from interactions.fastpaths.rows import MissingColumn, insert_values
from interactions.models import (
    AssignmentEvent,
    Contact,
    Interaction,
    InteractionState,
    Message,
    MessageStatus,
)
from tests.interactions.conftest import T0, sid

postgres = pytest.mark.postgres
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)
names = st.text(alphabet=string.ascii_letters + " àé", max_size=12)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | text,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(string.ascii_lowercase, max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
attachments = st.lists(
    st.fixed_dictionaries(
        {
            "url": st.just("https://api.twilio.com/ME1"),
            "content_type": st.sampled_from(["image/jpeg", "audio/ogg", "application/pdf"]),
        }
    ),
    max_size=3,
)
extras = st.dictionaries(
    st.sampled_from(["location", "button", "referral", "reply_to"]),
    st.dictionaries(st.sampled_from(["a", "b"]), text, max_size=2),
    max_size=2,
)
payloads = st.dictionaries(st.text(string.ascii_letters, min_size=1, max_size=8), text, max_size=4)


# Columns that cannot be equal between two runs: sequence ids and the random idempotency key.
NOT_COMPARABLE = {"id", "send_key"}
# Foreign keys to rows the run itself created: compared through those rows.
CREATED_IN_RUN = {"contact_id", "interaction_id"}


def row_values(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
        if field.attname not in NOT_COMPARABLE and field.attname not in CREATED_IN_RUN
    }


def written_rows(contact_address: str) -> dict:
    """Every row of the contact's world, each with all its comparable columns."""
    contact = Contact.objects.get(address=contact_address)
    interactions = list(Interaction.objects.filter(contact=contact).order_by("created_at", "id"))
    return {
        "contact": row_values(contact),
        "interactions": [row_values(i) for i in interactions],
        "events": [
            row_values(e)
            for e in AssignmentEvent.objects.filter(interaction__contact=contact).order_by(
                "at", "id"
            )
        ],
        "messages": [
            row_values(m)
            for m in Message.objects.filter(interaction__contact=contact).order_by(
                "created_at", "id"
            )
        ],
    }


def assert_same(got, expected, path="") -> None:
    """got == expected, failing on the first column that differs (named)."""
    if isinstance(expected, dict) and isinstance(got, dict):
        assert set(got) == set(expected), f"{path}: columns {sorted(set(got) ^ set(expected))}"
        for key in expected:
            assert_same(got[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)):
        assert len(got) == len(expected), (
            f"{path}: {len(got)} rows, the general path {len(expected)}"
        )
        for index, (a, b) in enumerate(zip(got, expected, strict=True)):
            assert_same(a, b, f"{path}[{index}]")
    else:
        assert got == expected, f"{path}: fast path {got!r}, general path {expected!r}"


@pytest.fixture
def frozen(monkeypatch):
    """Both paths run at the same instant: `now` for the action and for `auto_now` columns alike."""
    from django.utils import timezone

    instant = T0 + timedelta(hours=1)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    return instant


def in_savepoint(work):
    """`work()`'s result, with everything it wrote rolled back afterwards."""
    point = transaction.savepoint()
    try:
        return work()
    finally:
        transaction.savepoint_rollback(point)


def spy(monkeypatch, module, name) -> list:
    calls = []
    original = getattr(module, name)

    def recorded(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(result)
        return result

    monkeypatch.setattr(module, name, recorded)
    return calls


def emitted(monkeypatch) -> list:
    seen = []
    original = events.emit
    monkeypatch.setattr(
        events, "emit", lambda event: (seen.append(type(event).__name__), original(event))
    )
    return seen


def inbound_message(provider_id, address, body, name, external_id, files, more, payload):
    return inbound_actions.InboundMessage(
        channel="whatsapp",
        address=address,
        provider_id=provider_id,
        body=body,
        name=name,
        external_id=external_id,
        attachments=files,
        extras=more,
        payload=payload,
    )


# --- the INSERTs' column lists come from _meta --------------------------------------------------


def test_an_insert_without_a_value_for_a_column_fails_at_once():
    """What guards the fast paths against a new model field silently written NULL (any database)."""
    with pytest.raises(MissingColumn, match="no value for"):
        insert_values(Contact, {"channel": "%(channel)s", "address": "%(address)s"})
    with pytest.raises(MissingColumn, match="not columns"):
        insert_values(
            Contact,
            {
                c: "NULL"
                for c in [
                    "channel",
                    "address",
                    "name",
                    "external_id",
                    "created_at",
                    "updated_at",
                    "nickname",
                ]
            },
        )


def test_every_fast_path_statement_names_every_column(db):
    """Building the statements checks them against _meta (no PostgreSQL needed to build them)."""
    receive_first_message._statement.cache_clear()
    receive_in_open_interaction._statement.cache_clear()
    try:
        assert "INSERT INTO" in receive_first_message._statement()
        assert "INSERT INTO" in receive_in_open_interaction._statement()
    finally:
        receive_first_message._statement.cache_clear()
        receive_in_open_interaction._statement.cache_clear()


# --- receive_inbound: a new customer's first message ----------------------------------------------


@postgres
@pytest.mark.django_db
@EXAMPLES
@given(
    body=text,
    name=names,
    external_id=st.text(string.digits, max_size=12),
    files=attachments,
    more=extras,
    payload=payloads,
    online=st.booleans(),
)
def test_a_first_message_stores_what_the_general_path_stores(
    service, agent, monkeypatch, frozen, body, name, external_id, files, more, payload, online
):
    agent.presence = "online" if online else "away"
    agent.save(update_fields=["presence"])
    address, provider_id = "+393339990001", sid()
    now = frozen
    fast = spy(monkeypatch, inbound_actions, "open_for_new_contact")

    def general():
        with transaction.atomic():
            result = inbound_actions._receive_inbound(
                service,
                inbound_message(
                    provider_id, address, body, name, external_id, files, more, payload
                ),
                now,
            )
        return written_rows(address), result.queue_position, result.interaction.agent_id

    def fast_path():
        result = inbound_actions.receive_inbound(
            service,
            inbound_message(provider_id, address, body, name, external_id, files, more, payload),
            now=now,
        )
        return written_rows(address), result.queue_position, result.interaction.agent_id

    expected = in_savepoint(general)
    fast.clear()
    got = in_savepoint(fast_path)
    assert fast and fast[-1] is not None, "the fast path was not taken"
    assert_same(got, expected)


# --- receive_inbound: a message in an open conversation -------------------------------------------


@postgres
@pytest.mark.django_db
@EXAMPLES
@given(
    body=text,
    same_name=st.booleans(),
    files=attachments,
    more=extras,
    payload=payloads,
    assigned=st.booleans(),
    minutes=st.integers(0, 3000),
)
def test_a_message_in_an_open_conversation_stores_what_the_general_path_stores(
    service, agent, monkeypatch, frozen, body, same_name, files, more, payload, assigned, minutes
):
    address, provider_id = "+393339990002", sid()
    contact = Contact.objects.create(
        address=address, name="Maria", profile_name="Maria", external_id="39333"
    )
    Interaction.objects.create(
        service=service,
        contact=contact,
        created_at=T0,
        queued_at=T0,
        last_inbound_at=T0,
        version=3,
        state=InteractionState.ASSIGNED if assigned else InteractionState.QUEUED,
        agent=agent if assigned else None,
        assigned_at=T0 if assigned else None,
    )
    now = T0 + timedelta(minutes=minutes)
    # The fast path applies when the profile name is unchanged (or not sent).
    name = "Maria" if same_name else ""
    fast = spy(monkeypatch, inbound_actions, "append_to_open_interaction")

    def general():
        with transaction.atomic():
            inbound_actions._receive_inbound(
                service,
                inbound_message(provider_id, address, body, name, "", files, more, payload),
                now,
            )
        return written_rows(address)

    def fast_path():
        inbound_actions.receive_inbound(
            service,
            inbound_message(provider_id, address, body, name, "", files, more, payload),
            now=now,
        )
        return written_rows(address)

    try:
        expected = in_savepoint(general)
        fast.clear()
        got = in_savepoint(fast_path)
    finally:
        Interaction.objects.filter(contact=contact).delete()
        contact.delete()
    assert fast and fast[-1] is not None, "the fast path was not taken"
    assert_same(got, expected)


# --- record_status_callback: a status moving a message forward ------------------------------------

STATUSES = [s for s in MessageStatus.values if s != MessageStatus.RECEIVED]


@postgres
@pytest.mark.django_db
@EXAMPLES
@given(
    before=st.sampled_from(STATUSES),
    after=st.sampled_from([*STATUSES, "nonsense"]),
    attached=st.booleans(),
    by_our_id=st.booleans(),
    code=st.sampled_from(["", "63016", "30008", "1" * 20]),
    earlier_code=st.sampled_from(["", "30003"]),
    words=text,
)
def test_a_status_callback_stores_what_the_general_path_stores(
    service, agent, monkeypatch, before, after, attached, by_our_id, code, earlier_code, words
):
    contact = Contact.objects.create(address="+393339990003", name="Maria")
    interaction = Interaction.objects.create(
        service=service, contact=contact, state="assigned", agent=agent, last_inbound_at=T0
    )
    provider_id = sid()
    message = Message.objects.create(
        interaction=interaction,
        direction="out",
        body="Ciao",
        status=before,
        created_at=T0,
        status_updated_at=T0,
        provider_id=provider_id if attached else None,
        error_code=earlier_code,
        error_message="earlier" if earlier_code else "",
    )
    now = T0 + timedelta(minutes=5)

    class Frozen:
        @staticmethod
        def now():
            return now

    monkeypatch.setattr(outbound, "timezone", Frozen)
    fast = spy(monkeypatch, outbound, "advance_status")
    seen = emitted(monkeypatch)
    arguments = dict(
        provider_id=provider_id, status=after, error_code=code, error_message=words if code else ""
    )
    message_id = message.pk if by_our_id else None

    def general():
        with transaction.atomic():
            moved = outbound._general_status_callback(message_id, **arguments)
        return moved, row_values(Message.objects.get(pk=message.pk)), list(seen)

    def fast_path():
        moved = outbound.record_status_callback(message_id, **arguments)
        return moved, row_values(Message.objects.get(pk=message.pk)), list(seen)

    try:
        expected = in_savepoint(general)
        seen.clear()
        fast.clear()
        got = in_savepoint(fast_path)
    finally:
        Message.objects.filter(pk=message.pk).delete()
        interaction.delete()
        contact.delete()
    assert fast, "the fast path was not tried"
    # Taken (fast[-1] is the stored row) or declined (None: the general path
    # then decided): the same answer, the same row, the same events.
    assert_same(got, expected)


# --- customers without a phone number (WhatsApp usernames) -----------------------------------------

user_ids = st.from_regex(r"\A(US|IT|BR)\.[0-9A-Za-z_-]{1,40}\Z")


def username_message(provider_id, address, username, parent, phone=""):
    return inbound_actions.InboundMessage(
        channel="whatsapp",
        address=address,
        provider_id=provider_id,
        body="Ciao",
        name="Maria",
        phone=phone,
        username=username,
        external_user_id=address if not phone else "",
        parent_external_user_id=parent,
    )


@postgres
@pytest.mark.django_db
@EXAMPLES
@given(
    address=user_ids,
    username=names,
    parent=st.sampled_from(["", "US.ENT.1"]),
    with_phone=st.booleans(),
)
def test_a_username_customers_first_message_stores_what_the_general_path_stores(
    service, agent, monkeypatch, frozen, address, username, parent, with_phone
):
    phone = "+393339990003" if with_phone else ""
    address = phone or address
    provider_id, now = sid(), frozen
    fast = spy(monkeypatch, inbound_actions, "open_for_new_contact")

    def general():
        with transaction.atomic():
            inbound_actions._receive_inbound(
                service, username_message(provider_id, address, username, parent, phone), now
            )
        return written_rows(address)

    def fast_path():
        inbound_actions.receive_inbound(
            service, username_message(provider_id, address, username, parent, phone), now=now
        )
        return written_rows(address)

    expected = in_savepoint(general)
    fast.clear()
    got = in_savepoint(fast_path)
    assert fast and fast[-1] is not None, "the fast path was not taken"
    assert_same(got, expected)
    assert expected["contact"]["username"] == username


@postgres
@pytest.mark.django_db
@EXAMPLES
@given(renamed=st.booleans(), minutes=st.integers(0, 3000))
def test_a_username_customer_in_an_open_conversation_stores_what_the_general_path_stores(
    service, agent, monkeypatch, frozen, renamed, minutes
):
    address = "US.1349120865530274"
    contact = Contact.objects.create(
        address=address,
        name="Maria",
        profile_name="Maria",
        username="maria.rossi",
        external_user_id=address,
    )
    Interaction.objects.create(
        service=service,
        contact=contact,
        created_at=T0,
        queued_at=T0,
        last_inbound_at=T0,
        state=InteractionState.QUEUED,
    )
    now, provider_id = T0 + timedelta(minutes=minutes), sid()
    username = "maria.r" if renamed else "maria.rossi"
    fast = spy(monkeypatch, inbound_actions, "append_to_open_interaction")

    def general():
        with transaction.atomic():
            inbound_actions._receive_inbound(
                service, username_message(provider_id, address, username, ""), now
            )
        return written_rows(address)

    def fast_path():
        inbound_actions.receive_inbound(
            service, username_message(provider_id, address, username, ""), now=now
        )
        return written_rows(address)

    try:
        expected = in_savepoint(general)
        fast.clear()
        got = in_savepoint(fast_path)
    finally:
        Interaction.objects.filter(contact=contact).delete()
        contact.delete()
    # A changed username is the general path's to save; an unchanged one takes the one statement.
    assert fast and (fast[-1] is None) == renamed
    assert_same(got, expected)
    assert expected["contact"]["username"] == username
