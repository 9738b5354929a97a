"""Editing a contact and merging two (interactions.actions.contacts)."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from interactions import events
from interactions.actions import ActionError
from interactions.actions.contacts import merge_contacts, update_contact
from interactions.models import Contact, ContactAttribute, Interaction, InteractionState
from services.models import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def attributes(db):
    return [
        ContactAttribute.objects.create(
            key="plan", label="Plan", kind="choice", choices="Gold\nSilver"
        ),
        ContactAttribute.objects.create(key="orders", label="Orders", kind="number"),
        ContactAttribute.objects.create(key="birthday", label="Birthday", kind="date"),
        ContactAttribute.objects.create(key="city", label="City", kind="text"),
    ]


class TestUpdate:
    def test_name_language_note_and_attributes(self, attributes):
        contact = Contact.objects.create(address="+393330000001", profile_name="Mari")
        update_contact(
            contact.pk,
            name="Maria Rossi",
            language="it",
            note="Prefers mornings",
            attributes={"plan": "Gold", "orders": "12,50", "birthday": "1990-02-03", "city": ""},
        )
        contact.refresh_from_db()
        assert (contact.name, contact.profile_name, contact.language, contact.note) == (
            "Maria Rossi",
            "Mari",
            "it",
            "Prefers mornings",
        )
        assert contact.attributes == {"plan": "Gold", "orders": "12.5", "birthday": "1990-02-03"}

    @pytest.mark.parametrize(
        ("key", "value", "words"),
        [
            ("plan", "Platinum", "choose one"),
            ("orders", "many", "enter a number"),
            ("orders", "NaN", "enter a number"),
            ("birthday", "03/02/1990", "YYYY-MM-DD"),
            ("nope", "x", "No such attribute"),
        ],
    )
    def test_bad_values_are_refused_in_words(self, attributes, key, value, words):
        contact = Contact.objects.create(address="+393330000001")
        with pytest.raises(ActionError, match=words):
            update_contact(contact.pk, attributes={key: value})
        contact.refresh_from_db()
        assert contact.attributes == {}

    def test_an_unknown_language_is_refused(self):
        contact = Contact.objects.create(address="+393330000001")
        with pytest.raises(ActionError):
            update_contact(contact.pk, language="fr")


class TestMerge:
    def test_conversations_move_and_the_merge_is_audited_and_announced(
        self, conversation_factory, admin_user, monkeypatch, django_capture_on_commit_callbacks
    ):
        seen = []
        monkeypatch.setitem(events._after_commit, events.ContactsMerged, [seen.append])
        keep = conversation_factory("Maria", "+393330000001", "a").contact
        other_row = conversation_factory("", "+393330000002", "b")
        other = other_row.contact
        other.profile_name, other.note, other.attributes = "Mari", "VIP", {"city": "Rome"}
        other.save()
        with django_capture_on_commit_callbacks(execute=True):
            kept = merge_contacts(keep.pk, other.pk, actor=admin_user)
        assert [(e.contact.pk, e.merged.pk, e.moved) for e in seen] == [(keep.pk, other.pk, 1)]
        assert not Contact.objects.filter(pk=other.pk).exists()
        assert Interaction.objects.get(pk=other_row.pk).contact_id == keep.pk
        assert (kept.name, kept.profile_name, kept.note, kept.attributes) == (
            "Maria",
            "Mari",
            "VIP",
            {"city": "Rome"},
        )
        entry = AuditEntry.objects.get(object_type="interactions.Contact")
        assert entry.object_id == str(keep.pk) and entry.actor == admin_user
        assert "+393330000002" in entry.changes["merged"]["from"]
        assert entry.changes["interactions_moved"]["to"] == "1"

    def test_refused_when_both_have_an_open_conversation_in_one_service(
        self, conversation_factory, agent
    ):
        a = conversation_factory(
            "A", "+393330000001", "x", agent=agent, state=InteractionState.ASSIGNED
        )
        b = conversation_factory("B", "+393330000002", "y", state=InteractionState.QUEUED)
        with pytest.raises(ActionError, match="Customer care"):
            merge_contacts(a.contact_id, b.contact_id)
        assert Contact.objects.count() == 2
        assert not AuditEntry.objects.filter(object_type="interactions.Contact").exists()

    def test_open_ones_in_different_services_merge(self, conversation_factory, agent):
        billing = Service.objects.create(name="Billing", twilio_number="+15550001111")
        a = conversation_factory("A", "+393330000001", "x", state=InteractionState.QUEUED)
        b = conversation_factory(
            "B", "+393330000002", "y", state=InteractionState.QUEUED, svc=billing
        )
        merge_contacts(a.contact_id, b.contact_id)
        assert Interaction.objects.filter(contact_id=a.contact_id).count() == 2

    def test_not_with_itself(self, conversation_factory):
        a = conversation_factory("A", "+393330000001", "x")
        with pytest.raises(ActionError):
            merge_contacts(a.contact_id, a.contact_id)
