"""Routing with the database: who gets a new interaction, stickiness, the queue and its drains."""

from __future__ import annotations

import pytest

from agents.models import Presence
from desk.actions import capacity_changed, set_presence
from interactions.actions.assignment import drain_queue
from interactions.actions.lifecycle import close_interaction
from interactions.models import AssignmentEvent, Interaction

pytestmark = pytest.mark.django_db


def state(result):
    result.interaction.refresh_from_db()
    return result.interaction.state, result.interaction.agent_id


class TestWhoGetsANewInteraction:
    def test_least_loaded_agent_gets_it_and_the_reason_is_recorded(self, make_agent, receive):
        busy = make_agent("busy", max_interactions=5)
        free = make_agent("free", max_interactions=5)
        receive(1)  # goes to busy or free: both empty
        first_holder = Interaction.objects.get().agent
        result = receive(2, 1)
        other = free if first_holder == busy else busy
        assert state(result) == ("assigned", other.pk)
        event = AssignmentEvent.objects.get(interaction=result.interaction, kind="assigned")
        assert event.agent_id == other.pk and "least loaded of 2" in event.reason
        assert result.interaction.assignment_reason == event.reason

    def test_tie_goes_to_the_agent_idle_longest(self, make_agent, receive):
        from tests.interactions.conftest import T0

        recent = make_agent("recent", max_interactions=5)
        idle = make_agent("idle", max_interactions=5)
        recent.last_assignment_at = T0
        recent.save()
        idle.last_assignment_at = T0.replace(hour=7)
        idle.save()
        assert state(receive(1, 5)) == ("assigned", idle.pk)

    @pytest.mark.parametrize(
        "flags",
        [
            {"presence": Presence.AWAY},
            {"presence": Presence.OFFLINE},
            {"whatsapp_enabled": False},
            {"chat_enabled": False, "whatsapp_enabled": False},
            {"services": []},
            {"inactive": True},
        ],
        ids=["away", "offline", "no-whatsapp", "no-chat", "other-services", "inactive-user"],
    )
    def test_agent_who_cannot_take_it_is_passed_over(self, make_agent, receive, flags):
        flags = dict(flags)
        inactive = flags.pop("inactive", False)
        agent = make_agent("someone", **flags)
        if inactive:
            agent.user.is_active = False
            agent.user.save()
        result = receive(1)
        assert state(result) == ("queued", None)
        assert result.queue_position == 1

    def test_max_interactions_is_never_passed(self, make_agent, receive):
        agent = make_agent("one", max_interactions=2)
        results = [receive(n, n) for n in range(1, 5)]
        assert [state(r) for r in results] == [
            ("assigned", agent.pk),
            ("assigned", agent.pk),
            ("queued", None),
            ("queued", None),
        ]
        assert [r.queue_position for r in results[2:]] == [1, 2]


class TestStickiness:
    def test_later_messages_join_the_open_interaction_and_its_agent(self, make_agent, receive):
        first = make_agent("first", max_interactions=5)
        receive(1, 0)
        make_agent("newcomer", max_interactions=5)  # now less loaded than `first`
        result = receive(1, 1, body="me again")
        assert not result.created_interaction
        assert state(result) == ("assigned", first.pk)
        assert Interaction.objects.count() == 1
        assert result.interaction.messages.count() == 2

    def test_a_queued_interaction_collects_messages_in_place(self, receive):
        receive(1, 0)
        result = receive(1, 1)
        assert Interaction.objects.get().messages.count() == 2
        assert state(result) == ("queued", None)

    def test_after_closing_a_new_message_opens_a_new_interaction(self, agent, receive):
        first = receive(1, 0).interaction
        close_interaction(first.pk)
        second = receive(1, 1)
        assert second.created_interaction and second.interaction.pk != first.pk

    def test_one_open_interaction_per_service_not_per_contact(
        self, agent, make_agent, receive, service
    ):
        from services.models import Service

        sales = Service.objects.create(
            name="Sales", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390200000001"
        )
        agent.services.add(sales)
        a = receive(1, 0).interaction
        b = receive(1, 1, to=sales).interaction
        assert a.pk != b.pk and {a.service_id, b.service_id} == {service.pk, sales.pk}


class TestQueue:
    @pytest.fixture
    def queued(self, receive):
        """Three customers waiting, oldest first: customer 3 (minute 0), 1 (minute 1), 2 (minute 2)."""
        order = [receive(3, 0), receive(1, 1), receive(2, 2)]
        return [r.interaction.pk for r in order]

    def assigned_ids(self):
        return list(
            Interaction.objects.filter(state="assigned")
            .order_by("assigned_at", "pk")
            .values_list("pk", flat=True)
        )

    def test_agent_coming_online_takes_the_oldest_first(self, make_agent, queued):
        agent = make_agent("late", max_interactions=2, presence=Presence.OFFLINE)
        set_presence(agent, Presence.ONLINE)
        assert set(self.assigned_ids()) == set(queued[:2])
        assert Interaction.objects.get(pk=queued[2]).state == "queued"

    def test_closing_an_interaction_hands_the_place_to_the_oldest_waiting(
        self, make_agent, receive, queued
    ):
        agent = make_agent("full", max_interactions=1, presence=Presence.OFFLINE)
        set_presence(agent, Presence.ONLINE)
        assert self.assigned_ids() == [queued[0]]
        close_interaction(queued[0])
        assert Interaction.objects.get(pk=queued[1]).agent_id == agent.pk
        assert Interaction.objects.get(pk=queued[2]).state == "queued"

    def test_raising_max_interactions_drains_at_once(self, make_agent, queued):
        agent = make_agent("capped", max_interactions=1, presence=Presence.OFFLINE)
        set_presence(agent, Presence.ONLINE)
        agent.max_interactions = 3
        agent.save()
        capacity_changed(agent)
        assert set(self.assigned_ids()) == set(queued)

    def test_adding_an_agent_to_the_service_drains_at_once(self, make_agent, queued, service):
        agent = make_agent("elsewhere", max_interactions=5, services=[])
        assert not capacity_changed(agent)
        agent.services.add(service)
        drained = capacity_changed(agent)
        assert [i.pk for i in drained] == queued
        assert all(i.agent_id == agent.pk for i in Interaction.objects.all())

    def test_a_new_message_does_not_jump_the_queue(self, make_agent, queued, receive, service):
        # Capacity appears without a drain (e.g. edited directly in the database)...
        make_agent("quiet", max_interactions=1)
        # ...the next customer's message serves the oldest waiting first.
        newcomer = receive(9, 10)
        assert Interaction.objects.get(pk=queued[0]).state == "assigned"
        assert state(newcomer) == ("queued", None)
        assert newcomer.queue_position == 3

    def test_queue_of_another_service_is_not_served_by_agents_of_this_one(
        self, make_agent, receive, service
    ):
        from services.models import Service

        sales = Service.objects.create(
            name="Sales", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390200000001"
        )
        waiting = receive(1, 0, to=sales)
        make_agent("care-only", max_interactions=5, presence=Presence.OFFLINE)
        drain_queue()
        assert state(waiting) == ("queued", None)
