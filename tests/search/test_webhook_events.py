"""Reopening a conversation and merging two contacts reach the outbound webhooks (docs/webhooks.md)."""

from __future__ import annotations

import pytest

from hooks.models import Event
from interactions.actions import lifecycle
from interactions.actions.contacts import merge_contacts
from tests.api.test_labels_api import webhook_events  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


class TestReopenAndMergeEvents:
    def test_a_reopen_is_a_webhook_event_then_the_assignment(
        self,
        agent,
        conversation_factory,
        webhook_events,  # noqa: F811
    ):
        interaction = conversation_factory("Maria Rossi", "+393331112222", "hello", agent=agent)
        lifecycle.reopen_interaction(interaction.pk, actor=agent.user)
        [event] = webhook_events("interaction.reopened")
        assert event["interaction"]["id"] == interaction.pk
        assert event["interaction"]["closed_at"] is None
        assert event["actor_id"] == agent.user.pk
        reopened = Event.objects.get(type="interaction.reopened")
        assigned = Event.objects.filter(type="interaction.assigned").order_by("-created_at")[0]
        assert assigned.created_at >= reopened.created_at

    def test_a_merge_says_which_contact_stayed_and_how_many_moved(
        self,
        admin_user,
        conversation_factory,
        webhook_events,  # noqa: F811
    ):
        kept = conversation_factory("Maria Rossi", "+393331112222", "hello")
        gone = conversation_factory("M. Rossi", "+393339998888", "ciao")
        merge_contacts(kept.contact_id, gone.contact_id, actor=admin_user)
        [event] = webhook_events("contact.merged")
        assert event["contact"]["id"] == kept.contact_id
        assert event["contact"]["address"] == "+393331112222"
        assert event["merged_contact_id"] == gone.contact_id
        assert event["moved_interactions"] == 1 and event["actor_id"] == admin_user.pk
