"""Unread counts kept on the server: a read marker per agent and conversation.

Counts survive a reload (the snapshot carries them), reading in one tab
clears the count in the agent's other tabs (an `interaction.read` push), and
a supervisor reading the conversation leaves the agent's marker alone.
"""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from agents.models import ReadMarker
from tests.desk.helpers import ainbound, run

pytestmark = pytest.mark.django_db(transaction=True)


def unread_of(snapshot: dict) -> dict[int, int]:
    return {item["id"]: item["unread"] for item in snapshot["interactions"]}


class TestUnreadCounts:
    def test_one_message_counts_one_two_count_two_and_a_reload_keeps_them(
        self, tab, agent, service
    ):
        async def scenario():
            first = await ainbound(service, provider_id="SM" + "a1" * 16, body="one")
            desk = tab(agent.user)
            await desk.open()
            one = await desk.command({"type": "sync"}, "snapshot")
            await ainbound(service, provider_id="SM" + "a2" * 16, body="two")
            await desk.close()
            # A reload: a new tab, a fresh snapshot from the server.
            again = tab(agent.user)
            await again.open()
            two = await again.command({"type": "sync"}, "snapshot")
            await again.close()
            return first.interaction.pk, one, two

        interaction_id, one, two = run(scenario)
        assert unread_of(one) == {interaction_id: 1}
        assert unread_of(two) == {interaction_id: 2}

    def test_reading_in_one_tab_clears_the_count_in_the_other(self, tab, agent, service):
        async def scenario():
            result = await ainbound(service, provider_id="SM" + "b1" * 16)
            await ainbound(service, provider_id="SM" + "b2" * 16)
            newest = await database_sync_to_async(
                lambda: result.interaction.messages.order_by("-id").first().pk
            )()
            reading, other = tab(agent.user), tab(agent.user)
            await reading.open()
            await other.open()
            answer = await reading.command(
                {"type": "read", "interaction_id": result.interaction.pk, "message_id": newest},
                "read.ok",
            )
            pushed = await other.receive_until("interaction.read")
            snapshot = await other.command({"type": "sync"}, "snapshot")
            await reading.close()
            await other.close()
            return result.interaction.pk, newest, answer, pushed, snapshot

        interaction_id, newest, answer, pushed, snapshot = run(scenario)
        assert answer["unread"] == 0 and answer["changed"] is True
        assert pushed == {
            "type": "interaction.read",
            "interaction_id": interaction_id,
            "message_id": newest,
            "unread": 0,
        }
        assert unread_of(snapshot) == {interaction_id: 0}

    def test_reading_part_way_leaves_the_later_messages_unread_and_never_moves_back(
        self, tab, agent, service
    ):
        async def scenario():
            result = await ainbound(service, provider_id="SM" + "c1" * 16)
            await ainbound(service, provider_id="SM" + "c2" * 16)
            await ainbound(service, provider_id="SM" + "c3" * 16)
            ids = await database_sync_to_async(
                lambda: list(
                    result.interaction.messages.order_by("id").values_list("id", flat=True)
                )
            )()
            desk = tab(agent.user)
            await desk.open()
            part = await desk.command(
                {"type": "read", "interaction_id": result.interaction.pk, "message_id": ids[0]},
                "read.ok",
            )
            back = await desk.command(
                {"type": "read", "interaction_id": result.interaction.pk, "message_id": 0},
                "read.ok",
            )
            await desk.close()
            return part, back

        part, back = run(scenario)
        assert part["unread"] == 2
        assert back["unread"] == 2

    @pytest.mark.parametrize("with_profile", [False, True])
    def test_a_supervisor_reading_the_conversation_leaves_the_agents_marker_alone(
        self, tab, agent, service, admin_user, make_agent, with_profile
    ):
        from agents.models import Presence

        supervisor_user = admin_user
        if with_profile:
            # A supervisor who is an agent too: their own marker, never the holder's.
            supervisor_user = make_agent("sam", presence=Presence.OFFLINE).user
            supervisor_user.is_staff = True
            supervisor_user.save()

        async def scenario():
            result = await ainbound(service, provider_id="SM" + "d1" * 16)
            newest = await database_sync_to_async(
                lambda: result.interaction.messages.order_by("-id").first().pk
            )()
            supervisor = tab(supervisor_user)
            await supervisor.open()
            answer = await supervisor.command(
                {"type": "read", "interaction_id": result.interaction.pk, "message_id": newest},
                "read.ok",
            )
            await supervisor.close()
            desk = tab(agent.user)
            await desk.open()
            snapshot = await desk.command({"type": "sync"}, "snapshot")
            await desk.close()
            return result.interaction.pk, answer, snapshot

        interaction_id, answer, snapshot = run(scenario)
        assert answer["changed"] is False
        assert unread_of(snapshot) == {interaction_id: 1}
        assert not ReadMarker.objects.exists()


class TestPreferences:
    def test_preferences_are_kept_on_the_server_and_reach_every_tab(self, tab, agent):
        async def scenario():
            first, second = tab(agent.user), tab(agent.user)
            await first.open()
            await second.open()
            answer = await first.command(
                {
                    "type": "preferences",
                    "preferences": {"notify_sound": True, "enter_sends": False},
                },
                "preferences.ok",
            )
            pushed = await second.receive_until("agent.preferences")
            await first.close()
            await second.close()
            again = tab(agent.user)
            await again.open()
            snapshot = await again.command({"type": "sync"}, "snapshot")
            await again.close()
            return answer, pushed, snapshot

        answer, pushed, snapshot = run(scenario)
        expected = {"notify_desktop": True, "notify_sound": True, "enter_sends": False}
        assert answer["preferences"] == expected
        assert pushed["preferences"] == expected
        assert snapshot["agent"]["preferences"] == expected
