"""The desk WebSocket: who may connect, live pushes, and the agent's commands."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from agents.models import AgentProfile, DeskConnection, Presence
from interactions.models import Interaction, InteractionState, Message
from tests.conftest import CUSTOMER_NUMBER, SERVICE_NUMBER
from tests.desk.helpers import ainbound, run

pytestmark = pytest.mark.django_db(transaction=True)

OTHER_CUSTOMER = "+393339876543"


@database_sync_to_async
def db(function, *args, **kwargs):
    return function(*args, **kwargs)


class TestConnecting:
    def test_anonymous_connection_is_refused(self, tab):
        async def scenario():
            connected, code = await tab(None).connect()
            return connected, code

        connected, code = run(scenario)
        assert connected is False
        assert code == 4401

    def test_user_without_agent_profile_or_staff_is_refused(self, tab, django_user_model):
        user = django_user_model.objects.create_user("visitor", password="x-pass-123")

        async def scenario():
            return await tab(user).connect()

        connected, code = run(scenario)
        assert (connected, code) == (False, 4403)

    def test_agent_gets_hello_and_a_snapshot_of_their_interactions(self, tab, agent, service):
        async def scenario():
            await ainbound(service, provider_id="SM" + "1" * 32)
            desk = tab(agent.user)
            hello = await desk.open()
            snapshot = await desk.command({"type": "sync", "request_id": 7}, "snapshot")
            await desk.close()
            return hello, snapshot

        hello, snapshot = run(scenario)
        assert hello == {"type": "hello", "agent_id": agent.pk, "supervisor": False}
        assert snapshot["request_id"] == 7
        assert snapshot["agent"]["presence"] == "online"
        [item] = snapshot["interactions"]
        assert item["contact"]["address"] == CUSTOMER_NUMBER
        assert item["version"] == Interaction.objects.get().version
        assert item["last_message"]["body"] == "Hello"
        assert item["window_closes_at"]


class TestLiveAssignment:
    def test_a_new_customer_reaches_the_online_agent_live(self, tab, agent, service):
        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            await ainbound(service, provider_id="SM" + "2" * 32, body="Is my order shipped?")
            assigned = await desk.receive_until("interaction.assigned")
            created = await desk.receive_until("message.created")
            await desk.close()
            return assigned, created

        assigned, created = run(scenario)
        assert assigned["interaction"]["agent_id"] == agent.pk
        assert assigned["interaction"]["state"] == "assigned"
        assert created["message"]["body"] == "Is my order shipped?"
        assert created["interaction_id"] == assigned["interaction"]["id"]

    def test_two_tabs_of_one_agent_both_see_it(self, tab, agent, service):
        async def scenario():
            first, second = tab(agent.user), tab(agent.user)
            await first.open()
            await second.open()
            await ainbound(service, provider_id="SM" + "3" * 32)
            one = await first.receive_until("interaction.assigned")
            two = await second.receive_until("interaction.assigned")
            await first.close()
            await second.close()
            return one, two

        one, two = run(scenario)
        assert one == two


class TestReply:
    def test_reply_is_stored_then_sent_through_twilio(self, tab, agent, service, fake_twilio):
        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            result = await ainbound(service, provider_id="SM" + "4" * 32)
            await desk.send(
                {
                    "type": "reply",
                    "interaction_id": result.interaction.pk,
                    "body": "Yes, it left today.",
                    "client_id": "c1",
                }
            )
            stored = await desk.receive_until("reply.stored")
            status = await desk.receive_until("message.status")
            await desk.close()
            return stored, status

        stored, status = run(scenario)
        assert stored["client_id"] == "c1"
        assert stored["message"]["status"] == "pending"
        assert status["message"]["status"] == "queued"
        [sent] = fake_twilio.sent_messages()
        assert sent["from"] == f"whatsapp:{SERVICE_NUMBER}"
        assert sent["to"] == f"whatsapp:{CUSTOMER_NUMBER}"
        assert sent["body"] == "Yes, it left today."
        message = Message.objects.get(pk=stored["message"]["id"])
        assert sent["_status_callback"].endswith(f"/whatsapp/twilio/status?m={message.pk}")
        assert message.provider_id == sent["sid"]

    def test_agent_cannot_reply_to_someone_elses_interaction(self, tab, agent, make_agent, service):
        other = make_agent("bea", presence=Presence.OFFLINE)

        async def scenario():
            result = await ainbound(service, provider_id="SM" + "5" * 32)
            desk = tab(other.user)
            await desk.open()
            answer = await desk.command(
                {"type": "reply", "interaction_id": result.interaction.pk, "body": "hi"}, "error"
            )
            await desk.close()
            return answer

        answer = run(scenario)
        assert "not yours" in answer["message"]
        assert not Message.objects.filter(direction="out").exists()

    def test_free_text_after_24_hours_is_refused_and_a_template_is_sent(
        self, tab, agent, service, fake_twilio, approved_template
    ):
        sid = approved_template("Hello {{1}}")

        async def scenario():
            result = await ainbound(service, provider_id="SM" + "6" * 32)
            from datetime import timedelta

            from django.utils import timezone

            await db(
                Interaction.objects.filter(pk=result.interaction.pk).update,
                last_inbound_at=timezone.now() - timedelta(hours=25),
            )
            desk = tab(agent.user)
            await desk.open()
            refused = await desk.command(
                {"type": "reply", "interaction_id": result.interaction.pk, "body": "Hi"}, "error"
            )
            unknown = await desk.command(
                {
                    "type": "reply",
                    "interaction_id": result.interaction.pk,
                    "template_id": "HX" + "00" * 16,
                },
                "error",
            )
            stored = await desk.command(
                {
                    "type": "reply",
                    "interaction_id": result.interaction.pk,
                    "template_id": sid,
                    "template_variables": {"1": "Maria"},
                },
                "reply.stored",
            )
            await desk.receive_until("message.status")
            await desk.close()
            return refused, unknown, stored

        refused, unknown, stored = run(scenario)
        assert "63016" in refused["message"]
        assert "approved" in unknown["message"]
        assert stored["message"]["template_id"] == sid
        [sent] = fake_twilio.sent_messages()
        assert sent["_content_sid"] == sid
        assert sent["_content_variables"] == '{"1": "Maria"}'


class TestCloseAndTransfer:
    def test_close_frees_capacity_and_the_queue_drains_at_once(self, tab, make_agent, service):
        solo = make_agent("solo", max_interactions=1)

        async def scenario():
            desk = tab(solo.user)
            await desk.open()
            first = await ainbound(service, provider_id="SM" + "7" * 32)
            second = await ainbound(service, provider_id="SM" + "8" * 32, address=OTHER_CUSTOMER)
            await desk.receive_until("interaction.assigned", interaction__id=first.interaction.pk)
            queued_state = (await db(Interaction.objects.get, pk=second.interaction.pk)).state
            await desk.send({"type": "close", "interaction_id": first.interaction.pk})
            closed = await desk.receive_until("interaction.closed")
            assigned = await desk.receive_until("interaction.assigned")
            await desk.receive_until("close.ok")
            await desk.close()
            return first, second, queued_state, closed, assigned

        first, second, queued_state, closed, assigned = run(scenario)
        assert queued_state == InteractionState.QUEUED
        assert closed["interaction"]["id"] == first.interaction.pk
        assert assigned["interaction"]["id"] == second.interaction.pk
        assert assigned["interaction"]["version"] > 0

    def test_customer_writing_after_close_opens_a_new_interaction(self, tab, agent, service):
        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            first = await ainbound(service, provider_id="SM" + "9" * 32)
            await desk.command(
                {"type": "close", "interaction_id": first.interaction.pk}, "close.ok"
            )
            again = await ainbound(service, provider_id="SM" + "a" * 32, body="One more thing")
            assigned = await desk.receive_until(
                "interaction.assigned", interaction__id=again.interaction.pk
            )
            conversation = await desk.command(
                {"type": "open", "interaction_id": again.interaction.pk}, "conversation"
            )
            await desk.close()
            return first, again, assigned, conversation

        first, again, assigned, conversation = run(scenario)
        assert again.interaction.pk != first.interaction.pk
        assert again.created_interaction
        history = conversation["history"]
        assert [part["interaction"]["id"] for part in history] == [
            first.interaction.pk,
            again.interaction.pk,
        ]
        assert history[0]["interaction"]["state"] == "closed"
        assert [m["body"] for m in history[1]["messages"]] == ["One more thing"]

    def test_transfer_to_another_agent_and_back_to_the_queue(self, tab, agent, make_agent, service):
        bea = make_agent("bea", presence=Presence.AWAY)

        async def scenario():
            alex_desk, bea_desk = tab(agent.user), tab(bea.user)
            await alex_desk.open()
            await bea_desk.open()
            result = await ainbound(service, provider_id="SM" + "b" * 32)
            await alex_desk.receive_until("interaction.assigned")
            targets = await alex_desk.command(
                {"type": "transfer_targets", "interaction_id": result.interaction.pk},
                "transfer.targets",
            )
            refused = await alex_desk.command(
                {
                    "type": "transfer",
                    "interaction_id": result.interaction.pk,
                    "to_agent_id": bea.pk,
                },
                "error",
            )
            await bea_desk.command({"type": "presence", "presence": "online"}, "presence.ok")
            await alex_desk.send(
                {"type": "transfer", "interaction_id": result.interaction.pk, "to_agent_id": bea.pk}
            )
            removed = await alex_desk.receive_until("interaction.removed")
            gained = await bea_desk.receive_until("interaction.assigned")
            # Bea hands it back to the queue; Alex (online, free) gets it again.
            await bea_desk.send(
                {
                    "type": "transfer",
                    "interaction_id": result.interaction.pk,
                    "to_agent_id": "queue",
                }
            )
            lost = await bea_desk.receive_until("interaction.removed")
            regained = await alex_desk.receive_until("interaction.assigned")
            await alex_desk.close()
            await bea_desk.close()
            return targets, refused, removed, gained, lost, regained

        targets, refused, removed, gained, lost, regained = run(scenario)
        assert [(a["id"], a["available"]) for a in targets["agents"]] == [(bea.pk, False)]
        assert "not available" in refused["message"]
        assert gained["interaction"]["agent_id"] == bea.pk
        assert "transferred by alex" in gained["interaction"]["assignment_reason"]
        assert removed["interaction"]["version"] == gained["interaction"]["version"]
        assert lost["interaction"]["state"] == "queued"
        assert regained["interaction"]["agent_id"] == agent.pk
        assert regained["interaction"]["version"] > lost["interaction"]["version"]


class TestReconnect:
    def test_after_a_drop_sync_returns_what_happened_meanwhile_once(
        self, tab, agent, service, settings
    ):
        settings.OCC_PRESENCE_GRACE_SECONDS = (
            60  # a drop shorter than the grace keeps the agent online
        )

        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            first = await ainbound(service, provider_id="SM" + "c" * 32, body="first")
            before = await desk.command({"type": "sync"}, "snapshot")
            await desk.close()  # the network drops
            await ainbound(service, provider_id="SM" + "d" * 32, body="while away")
            second = await ainbound(
                service, provider_id="SM" + "e" * 32, address=OTHER_CUSTOMER, body="new customer"
            )
            again = tab(agent.user)
            await again.open()
            after = await again.command({"type": "sync"}, "snapshot")
            conversation = await again.command(
                {"type": "open", "interaction_id": first.interaction.pk}, "conversation"
            )
            await again.close()
            return first, second, before, after, conversation

        first, second, before, after, conversation = run(scenario)
        assert [i["id"] for i in before["interactions"]] == [first.interaction.pk]
        by_id = {i["id"]: i for i in after["interactions"]}
        assert sorted(by_id) == sorted([first.interaction.pk, second.interaction.pk])
        assert by_id[first.interaction.pk]["version"] > before["interactions"][0]["version"]
        assert by_id[first.interaction.pk]["last_message"]["body"] == "while away"
        bodies = [m["body"] for m in conversation["history"][-1]["messages"]]
        assert bodies == ["first", "while away"]


class TestPresence:
    def test_going_online_drains_the_queue(self, tab, make_agent, service):
        late = make_agent("late", presence=Presence.OFFLINE)

        async def scenario():
            result = await ainbound(service, provider_id="SM" + "f" * 32)
            desk = tab(late.user)
            await desk.open()
            await desk.send({"type": "presence", "presence": "online"})
            assigned = await desk.receive_until("interaction.assigned")
            await desk.close()
            return result, assigned

        result, assigned = run(scenario)
        assert result.interaction.state == InteractionState.QUEUED
        assert assigned["interaction"]["id"] == result.interaction.pk

    def test_away_keeps_current_interactions_and_takes_no_new_ones(self, tab, agent, service):
        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            first = await ainbound(service, provider_id="SM" + "1a" * 16)
            await desk.command({"type": "presence", "presence": "away"}, "presence.ok")
            second = await ainbound(service, provider_id="SM" + "2a" * 16, address=OTHER_CUSTOMER)
            snapshot = await desk.command({"type": "sync"}, "snapshot")
            await desk.close()
            return first, second, snapshot

        first, second, snapshot = run(scenario)
        assert [i["id"] for i in snapshot["interactions"]] == [first.interaction.pk]
        assert Interaction.objects.get(pk=second.interaction.pk).state == InteractionState.QUEUED

    def test_closing_the_last_tab_counts_as_offline_but_one_of_two_does_not(self, tab, agent):
        async def scenario():
            first, second = tab(agent.user), tab(agent.user)
            await first.open()
            await second.open()
            tabs_open = await db(DeskConnection.objects.filter(agent=agent).count)
            await first.close()
            after_one = (await db(AgentProfile.objects.get, pk=agent.pk)).presence
            await second.close()
            after_both = (await db(AgentProfile.objects.get, pk=agent.pk)).presence
            return tabs_open, after_one, after_both

        tabs_open, after_one, after_both = run(scenario)
        assert tabs_open == 2
        assert after_one == Presence.ONLINE
        assert after_both == Presence.OFFLINE
        assert not DeskConnection.objects.exists()


class TestSupervisor:
    def test_supervisor_snapshot_is_for_administrators_only(self, tab, agent, admin_user, service):
        async def scenario():
            await ainbound(service, provider_id="SM" + "3a" * 16)
            desk = tab(agent.user)
            await desk.open()
            refused = await desk.command({"type": "supervisor"}, "error")
            await desk.close()
            boss = tab(admin_user)
            hello = await boss.open()
            snapshot = await boss.command({"type": "supervisor"}, "supervisor")
            await boss.close()
            return refused, hello, snapshot

        refused, hello, snapshot = run(scenario)
        assert "administrators" in refused["message"]
        assert hello["supervisor"] is True
        assert snapshot["agents"][0]["open_interactions"] == 1
        assert snapshot["interactions"][0]["assignment_reason"]
        assert sum(snapshot["charts"]["interactions"]) == 1

    def test_an_administrator_reassigns_with_one_command_and_the_reason_is_recorded(
        self, tab, agent, make_agent, admin_user, service
    ):
        bea = make_agent("bea")

        async def scenario():
            result = await ainbound(service, provider_id="SM" + "4a" * 16)
            boss, bea_desk = tab(admin_user), tab(bea.user)
            await boss.open()
            await bea_desk.open()
            holder = (await db(Interaction.objects.get, pk=result.interaction.pk)).agent_id
            target = bea.pk if holder == agent.pk else agent.pk
            await boss.command(
                {
                    "type": "transfer",
                    "interaction_id": result.interaction.pk,
                    "to_agent_id": target,
                },
                "transfer.ok",
            )
            snapshot = await boss.command({"type": "supervisor"}, "supervisor")
            await boss.close()
            await bea_desk.close()
            return target, snapshot

        target, snapshot = run(scenario)
        [row] = snapshot["interactions"]
        assert row["agent_id"] == target
        assert row["assignment_reason"] == "transferred by ada"


class TestPushDelivery:
    def test_a_push_reaches_the_tab_without_a_hop_to_the_sync_thread(self, tab, agent, monkeypatch):
        """Channels closes stale connections (a hop to its sync thread) before each handler:
        not before a push, which touches no database; still before a command."""
        from channels import consumer
        from channels.layers import get_channel_layer

        from interactions.notify import agent_group

        hops = []
        original = consumer.aclose_old_connections

        async def counted():
            hops.append(1)
            return await original()

        monkeypatch.setattr(consumer, "aclose_old_connections", counted)

        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            before = len(hops)
            for n in range(3):
                await get_channel_layer().group_send(
                    agent_group(agent.pk),
                    {"type": "desk.push", "event": {"type": "interaction.note", "n": n}},
                )
            pushed = [await desk.receive_until("interaction.note", n=n) for n in range(3)]
            after_pushes = len(hops)
            await desk.command({"type": "ping"}, "pong")
            after_command = len(hops)
            await desk.close()
            return pushed, before, after_pushes, after_command

        pushed, before, after_pushes, after_command = run(scenario)
        assert [event["n"] for event in pushed] == [0, 1, 2]
        assert after_pushes == before
        assert after_command == after_pushes + 1
