"""Customers without a phone number (WhatsApp usernames, 2026): keyed on the address Twilio sends.

Twilio may send `From=whatsapp:US.ABC123XYZ` (a business-scoped user id)
with `ProfileUsername` and `ExternalUserId`, and no number. Such a customer
goes through the whole loop: intake, routing, the desk, a reply sent back to
that very address (the real twilio client over HTTP to the fake), search by
username. A customer with a number keeps it as the address, as before.
"""

from __future__ import annotations

import pytest

from interactions.actions import outbound
from interactions.models import Contact, Interaction, Message
from interactions.payloads import interaction_dict
from tests.api.conftest import token_client
from tests.conftest import load_payload
from tests.whatsapp.conftest import INBOUND
from whatsapp.parsing import InvalidWebhook, whatsapp_customer_address

pytestmark = pytest.mark.django_db

USER_ID = "US.13491208655302741918"


def username_webhook(**overrides) -> dict:
    fields = {
        "From": f"whatsapp:{USER_ID}",
        "ProfileUsername": "maria.rossi",
        "ExternalUserId": USER_ID,
        "ParentExternalUserId": "US.ENT.99887766",
        **overrides,
    }
    payload = load_payload("inbound_text", **fields)
    payload.pop("WaId", None)  # the number is withheld: no WaId either
    return payload


def test_a_username_only_customer_is_stored_routed_and_answered_at_the_address_received(
    signed_post, service, agent, fake_twilio
):
    assert signed_post(INBOUND, username_webhook()).status_code == 200
    contact = Contact.objects.get()
    assert (contact.address, contact.phone, contact.username) == (USER_ID, "", "maria.rossi")
    assert contact.external_user_id == USER_ID
    assert contact.parent_external_user_id == "US.ENT.99887766"
    interaction = Interaction.objects.get()
    assert (interaction.state, interaction.agent) == ("assigned", agent)
    assert interaction_dict(interaction)["contact"]["username"] == "maria.rossi"

    outbound.send_reply(interaction.pk, sender=agent.user, body="Ciao Maria!")
    [sent] = fake_twilio.sent_messages()
    assert sent["to"] == f"whatsapp:{USER_ID}"
    assert Message.objects.get(direction="out").status == "queued"

    # Her next message joins the same conversation.
    again = username_webhook(
        MessageSid="SM" + "d" * 32,
        SmsSid="SM" + "d" * 32,
        SmsMessageSid="SM" + "d" * 32,
        Body="Grazie",
    )
    assert signed_post(INBOUND, again).status_code == 200
    assert Interaction.objects.count() == 1 and Message.objects.filter(direction="in").count() == 2


def test_a_customer_with_a_username_and_a_number_keeps_the_number_as_address(
    signed_post, service, agent
):
    payload = load_payload("inbound_text", ProfileUsername="maria.rossi")
    assert signed_post(INBOUND, payload).status_code == 200
    contact = Contact.objects.get()
    assert contact.address == contact.phone == "+393331234567"
    assert contact.username == "maria.rossi"


def test_the_username_follows_what_the_customer_sets(signed_post, service, agent):
    signed_post(INBOUND, username_webhook())
    renamed = username_webhook(
        MessageSid="SM" + "e" * 32,
        SmsSid="SM" + "e" * 32,
        SmsMessageSid="SM" + "e" * 32,
        ProfileUsername="maria.r",
    )
    signed_post(INBOUND, renamed)
    assert Contact.objects.get().username == "maria.r"


def test_contacts_are_found_by_username(signed_post, service, agent, admin_user):
    signed_post(INBOUND, username_webhook())
    api = token_client(admin_user)
    for query in ("maria.rossi", "@maria.rossi", "MARIA.ROSSI"):
        found = api.get("/api/v1/contacts/", {"username": query}).json()["results"]
        assert [c["address"] for c in found] == [USER_ID], query
        assert found[0]["phone"] == "" and found[0]["username"] == "maria.rossi"
    assert api.get("/api/v1/contacts/", {"username": "someone"}).json()["results"] == []


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("whatsapp:US.ABC123XYZ", "US.ABC123XYZ"),
        ("whatsapp:+39 333 1234567", "+393331234567"),
        (" whatsapp:IT.a-b_c ", "IT.a-b_c"),
    ],
)
def test_addresses_are_kept_as_sent(raw, expected):
    assert whatsapp_customer_address(raw) == expected


@pytest.mark.parametrize(
    "raw", ["US.ABC", "whatsapp:US.", "whatsapp:US.<script>", "whatsapp:U.ABC", "whatsapp:3331234"]
)
def test_anything_else_is_refused(raw):
    with pytest.raises(InvalidWebhook):
        whatsapp_customer_address(raw)


@pytest.mark.django_db
def test_existing_contacts_are_migrated_without_change():
    """The migration's data step on a contact from before (no phone yet); the schema is not moved
    back and forth, other apps' migrations stand on it."""
    import importlib

    from django.apps import apps

    from interactions.models import Contact

    migration = importlib.import_module("interactions.migrations.0004_contact_username_and_phone")
    Contact.objects.create(
        channel="whatsapp", address="+393331112222", name="Anna", external_id="393331112222"
    )
    Contact.objects.update(phone="")  # as it was before the migration
    migration.phone_from_address(apps, None)
    contact = Contact.objects.get()
    assert (contact.address, contact.name, contact.external_id) == (
        "+393331112222",
        "Anna",
        "393331112222",
    )
    assert contact.phone == "+393331112222" and contact.username == ""
