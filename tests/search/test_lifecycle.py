"""Reopening a closed conversation and starting one with a contact (interactions.actions.lifecycle)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import Presence
from interactions.actions import ActionError, lifecycle
from interactions.models import AssignmentEvent, CloseReason, InteractionState

pytestmark = pytest.mark.django_db


class TestReopen:
    def test_the_agent_gets_it_back_when_they_have_capacity(self, agent, conversation_factory):
        closed = conversation_factory("Maria", "+393330000001", "hello", agent=agent)
        closed.close_reason = CloseReason.objects.create(name="Solved")
        closed.save()
        interaction, assigned = lifecycle.reopen_interaction(closed.pk, actor=agent.user)
        assert assigned
        assert (interaction.state, interaction.agent_id) == (InteractionState.ASSIGNED, agent.pk)
        assert interaction.closed_at is None and interaction.close_reason is None
        kinds = list(interaction.events.values_list("kind", flat=True))
        assert kinds[-2:] == [AssignmentEvent.Kind.REOPENED, AssignmentEvent.Kind.ASSIGNED]
        assert "closed as: Solved" in interaction.events.get(kind="reopened").reason

    def test_a_full_agent_sends_it_to_the_queue(self, make_agent, conversation_factory):
        alex = make_agent("alex", max_interactions=1)
        conversation_factory(
            "Luca", "+393330000002", "x", agent=alex, state=InteractionState.ASSIGNED
        )
        closed = conversation_factory("Maria", "+393330000001", "hello", agent=alex)
        interaction, assigned = lifecycle.reopen_interaction(closed.pk, actor=alex.user)
        assert not assigned
        assert interaction.state == InteractionState.QUEUED and interaction.agent_id is None

    def test_queued_it_goes_to_a_free_colleague(self, make_agent, conversation_factory):
        alex = make_agent("alex", presence=Presence.OFFLINE)
        bea = make_agent("bea")
        closed = conversation_factory("Maria", "+393330000001", "hello", agent=alex)
        interaction, assigned = lifecycle.reopen_interaction(closed.pk, actor=alex.user)
        assert not assigned and interaction.agent_id == bea.pk

    def test_refused_while_the_contact_has_an_open_one_in_that_service(
        self, agent, conversation_factory
    ):
        closed = conversation_factory("Maria", "+393330000001", "old", agent=agent)
        open_one = conversation_factory(
            "Maria", "+393330000001", "new", agent=agent, state=InteractionState.ASSIGNED
        )
        with pytest.raises(ActionError, match=f"already has an open conversation.*#{open_one.pk}"):
            lifecycle.reopen_interaction(closed.pk, actor=agent.user)
        closed.refresh_from_db()
        assert closed.state == InteractionState.CLOSED

    def test_an_open_one_is_not_reopened(self, agent, conversation_factory):
        open_one = conversation_factory(
            "Maria", "+393330000001", "new", agent=agent, state=InteractionState.ASSIGNED
        )
        with pytest.raises(ActionError, match="open already"):
            lifecycle.reopen_interaction(open_one.pk, actor=agent.user)


class TestStart:
    def test_within_the_window_the_agent_gets_a_new_conversation(
        self, agent, service, conversation_factory
    ):
        earlier = conversation_factory(
            "Maria", "+393330000001", "hi", agent=agent, at=timezone.now() - timedelta(hours=5)
        )
        started = lifecycle.start_conversation(earlier.contact_id, service.pk, actor=agent.user)
        assert (started.state, started.agent_id) == (InteractionState.ASSIGNED, agent.pk)
        assert started.pk != earlier.pk
        # The window runs from the customer's last message: free text is allowed.
        assert started.last_inbound_at == earlier.last_inbound_at

    def test_outside_the_window_a_template_is_needed(self, agent, service, conversation_factory):
        earlier = conversation_factory(
            "Maria", "+393330000001", "hi", agent=agent, at=timezone.now() - timedelta(hours=25)
        )
        with pytest.raises(ActionError, match="template"):
            lifecycle.start_conversation(earlier.contact_id, service.pk, actor=agent.user)

    def test_not_past_max_interactions(self, make_agent, service, conversation_factory):
        alex = make_agent("alex", max_interactions=1)
        conversation_factory(
            "Luca", "+393330000002", "x", agent=alex, state=InteractionState.ASSIGNED
        )
        earlier = conversation_factory("Maria", "+393330000001", "hi", agent=alex)
        with pytest.raises(ActionError, match="Max interactions"):
            lifecycle.start_conversation(earlier.contact_id, service.pk, actor=alex.user)

    def test_not_twice(self, agent, service, conversation_factory):
        open_one = conversation_factory(
            "Maria", "+393330000001", "x", agent=agent, state=InteractionState.ASSIGNED
        )
        with pytest.raises(ActionError, match="already has an open conversation"):
            lifecycle.start_conversation(open_one.contact_id, service.pk, actor=agent.user)
