"""Supervisors: watch a conversation live without touching it, take it over, today's figures per agent."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from agents.models import AgentProfile, Presence, PresenceSpan
from agents.roles import Role, set_role
from desk import selectors as desk
from interactions.actions import watching
from interactions.actions.outbound import create_reply
from interactions.models import AssignmentEvent, Interaction, Message
from tests.desk.helpers import ainbound, inbound, run

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def db(function, *args, **kwargs):
    return function(*args, **kwargs)


@pytest.fixture
def supervisor(django_user_model):
    """A supervisor who only watches: no agent profile."""
    user = django_user_model.objects.create_user("sam", password="sup-pass-123")
    set_role(user, Role.SUPERVISOR)
    return django_user_model.objects.get(pk=user.pk)


def interaction_state(pk):
    row = Interaction.objects.values().get(pk=pk)
    messages = list(Message.objects.filter(interaction_id=pk).values().order_by("pk"))
    return row, messages


def test_a_supervisor_watches_a_conversation_live_and_the_agent_sees_nothing_of_it(
    tab, agent, service, supervisor
):
    first = inbound(service, provider_id="SM" + "1" * 32, body="My parcel is late").interaction
    before = interaction_state(first.pk)

    async def scenario():
        agent_tab = tab(agent.user)
        await agent_tab.open()
        watcher = tab(supervisor)
        hello = await watcher.open()
        watched = await watcher.command(
            {"type": "watch", "interaction_id": first.pk, "request_id": 1}, "watch.conversation"
        )
        # Watching caused nothing on the agent's tab, and changed nothing in the database.
        quiet = await agent_tab.nothing_more()
        untouched = await db(interaction_state, first.pk)
        await ainbound(service, provider_id="SM" + "2" * 32, body="Any news?")
        live = await watcher.receive_until("message.created", message__body="Any news?")
        at_agent = await agent_tab.receive_until("message.created", message__body="Any news?")
        await watcher.command({"type": "unwatch", "request_id": 2}, "unwatch.ok")
        await ainbound(service, provider_id="SM" + "3" * 32, body="Hello?")
        await agent_tab.receive_until("message.created", message__body="Hello?")
        after_unwatch = await watcher.nothing_more()
        await watcher.close()
        await agent_tab.close()
        return hello, watched, quiet, untouched, live, at_agent, after_unwatch

    hello, watched, quiet, untouched, live, at_agent, after_unwatch = run(scenario)
    assert hello["supervisor"] is True and hello["agent_id"] is None
    assert watched["interaction"]["id"] == first.pk
    assert watched["agent_name"] == agent.display_name
    bodies = [m["body"] for h in watched["history"] for m in h["messages"]]
    assert bodies == ["My parcel is late"]
    # Only the mark that sends its message pushes to watchers (interactions/actions/watching.py).
    row_after, messages_after = untouched
    assert before[0]["watched_until"] is None and row_after["watched_until"] > timezone.now()
    assert quiet and ({**row_after, "watched_until": None}, messages_after) == before
    assert live["interaction_id"] == first.pk and at_agent["interaction_id"] == first.pk
    assert after_unwatch, "pushes kept coming after unwatch"


def test_a_watch_begun_while_messages_stream_in_misses_none_of_them(
    tab, agent, service, supervisor
):
    """Each message is in the watcher's first view or pushed to it after: never in neither."""
    first = inbound(service, provider_id="SM" + "6" * 32, body="m-0").interaction
    count = 30

    async def scenario():
        watcher = tab(supervisor)
        await watcher.open()

        async def stream():
            for n in range(1, count + 1):
                await ainbound(service, provider_id=f"SM{n:032d}", body=f"m-{n}")
                await asyncio.sleep(0)

        streaming = asyncio.ensure_future(stream())
        await asyncio.sleep(0.01)  # the watch begins while the messages are being stored
        view = await watcher.command(
            {"type": "watch", "interaction_id": first.pk, "request_id": 1}, "watch.conversation"
        )
        await streaming
        pushed = []
        while not await watcher.nothing_more():
            event = await watcher.receive()
            if event["type"] == "message.created":
                pushed.append(event["message"]["body"])
        pushed += [e["message"]["body"] for e in watcher.backlog if e["type"] == "message.created"]
        await watcher.close()
        return view, pushed

    view, pushed = run(scenario)
    in_view = {m["body"] for h in view["history"] for m in h["messages"]}
    assert 1 < len(in_view) < count + 1, "the watch did not begin mid-stream"
    assert in_view | set(pushed) == {f"m-{n}" for n in range(count + 1)}


def test_a_watching_tabs_pings_renew_the_mark_and_only_when_it_is_due(
    tab, agent, service, supervisor, monkeypatch
):
    first = inbound(service, provider_id="SM" + "9" * 32).interaction
    lapse = Interaction.objects.filter(pk=first.pk)

    async def scenario():
        watcher = tab(supervisor)
        await watcher.open()
        await watcher.command({"type": "watch", "interaction_id": first.pk}, "watch.conversation")
        await db(lapse.update, watched_until=None)
        await watcher.command({"type": "ping"}, "pong")  # just marked: not due
        not_due = await db(lambda: lapse.get().watched_until)
        monkeypatch.setattr(watching, "RENEW_AFTER_SECONDS", 0)  # always due
        await watcher.command({"type": "ping"}, "pong")
        renewed = await db(lambda: lapse.get().is_watched())
        await watcher.close()
        return not_due, renewed

    not_due, renewed = run(scenario)
    assert not_due is None and renewed


def test_agents_cannot_watch_or_take_over(tab, agent, make_agent, service):
    other = make_agent("bea")
    first = inbound(service, provider_id="SM" + "4" * 32).interaction
    intruder = other if first.agent_id == agent.pk else agent

    async def scenario():
        t = tab(intruder.user)
        await t.open()
        watch = await t.command({"type": "watch", "interaction_id": first.pk}, "error")
        take = await t.command({"type": "take_over", "interaction_id": first.pk}, "error")
        await t.close()
        return watch, take

    watch, take = run(scenario)
    assert watch["command"] == "watch" and take["command"] == "take_over"
    assert Interaction.objects.get(pk=first.pk).agent_id == first.agent_id


def test_a_supervisor_with_an_agent_profile_takes_a_conversation_over(
    tab, agent, service, supervisor
):
    # Offline, of no service and with Max interactions 1 already held: taking over still works.
    mine = AgentProfile.objects.create(user=supervisor, chat_enabled=True, max_interactions=1)
    first = inbound(service, provider_id="SM" + "5" * 32).interaction
    assert first.agent_id == agent.pk

    async def scenario():
        agent_tab = tab(agent.user)
        await agent_tab.open()
        watcher = tab(supervisor)
        hello = await watcher.open()
        done = await watcher.command(
            {"type": "take_over", "interaction_id": first.pk, "request_id": 3}, "take_over.ok"
        )
        removed = await agent_tab.receive_until("interaction.removed")
        assigned = await watcher.receive_until("interaction.assigned")
        await watcher.close()
        await agent_tab.close()
        return hello, done, removed, assigned

    hello, done, removed, assigned = run(scenario)
    assert hello["agent_id"] == mine.pk
    taken = Interaction.objects.get(pk=first.pk)
    assert taken.agent_id == mine.pk and taken.state == "assigned"
    assert removed["interaction"]["id"] == first.pk
    assert assigned["interaction"]["agent_id"] == mine.pk
    event = AssignmentEvent.objects.filter(interaction=taken).latest("at")
    assert event.reason == "taken over by sam" and event.actor_id == supervisor.pk


def test_taking_over_without_an_agent_profile_says_what_to_do(tab, agent, service, supervisor):
    first = inbound(service, provider_id="SM" + "6" * 32).interaction

    async def scenario():
        t = tab(supervisor)
        await t.open()
        answer = await t.command({"type": "take_over", "interaction_id": first.pk}, "error")
        await t.close()
        return answer

    answer = run(scenario)
    assert "needs an agent profile" in answer["message"]
    assert Interaction.objects.get(pk=first.pk).agent_id == agent.pk


def test_a_supervisor_reassigns_a_conversation(tab, agent, make_agent, service, supervisor):
    first = inbound(service, provider_id="SM" + "7" * 32).interaction
    other = make_agent("bea")
    target = other if first.agent_id == agent.pk else agent

    async def scenario():
        t = tab(supervisor)
        await t.open()
        answer = await t.command(
            {"type": "transfer", "interaction_id": first.pk, "to_agent_id": target.pk},
            "transfer.ok",
        )
        await t.close()
        return answer

    run(scenario)
    assert Interaction.objects.get(pk=first.pk).agent_id == target.pk


def test_time_in_each_presence_today_adds_up_the_spans(agent, make_agent):
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    midnight = desk.day_start(now)
    PresenceSpan.objects.create(
        agent=agent, presence="online", started_at=midnight - timedelta(hours=2),
        ended_at=midnight + timedelta(hours=3),
    )  # fmt: skip
    PresenceSpan.objects.create(
        agent=agent, presence="away", started_at=midnight + timedelta(hours=3),
        ended_at=midnight + timedelta(hours=4),
    )  # fmt: skip
    PresenceSpan.objects.create(
        agent=agent, presence="online", started_at=midnight + timedelta(hours=4)
    )
    fresh = make_agent("bea", presence=Presence.AWAY)
    AgentProfile.objects.filter(pk=fresh.pk).update(
        presence_changed_at=midnight + timedelta(hours=11)
    )
    fresh.refresh_from_db()
    totals = desk.presence_today([agent, fresh], now)
    # 00:00-03:00 and 04:00-12:00 online, 03:00-04:00 away; nothing counted from yesterday.
    assert totals[agent.pk] == {"online": 11 * 3600, "away": 3600, "offline": 0}
    # No span recorded yet: the current presence since it was set.
    assert totals[fresh.pk] == {"online": 0, "away": 3600, "offline": 0}


def test_presence_changes_are_recorded_as_spans(agent):
    from desk.actions import set_presence

    set_presence(agent, Presence.AWAY)
    set_presence(agent, Presence.AWAY)  # no change: no new span
    set_presence(agent, Presence.ONLINE)
    spans = list(PresenceSpan.objects.filter(agent=agent).order_by("pk"))
    assert [s.presence for s in spans] == ["away", "online"]
    assert spans[0].ended_at == spans[1].started_at and spans[1].ended_at is None


def test_first_responses_today_are_the_median_per_replying_agent(agent, make_agent, service):
    now = timezone.now()
    other = make_agent("bea")
    waits = {agent: [60, 120, 600], other: [30]}
    n = 0
    for who, seconds in waits.items():
        for wait in seconds:
            n += 1
            interaction = inbound(
                service, provider_id=f"SM{n:032x}", address=f"+3933300000{n:02d}"
            ).interaction
            started = now - timedelta(seconds=wait + 5)
            Interaction.objects.filter(pk=interaction.pk).update(created_at=started)
            reply = create_reply(interaction.pk, sender=who.user, body="Hi")
            replied = started + timedelta(seconds=wait)
            Interaction.objects.filter(pk=interaction.pk).update(first_reply_at=replied)
            Message.objects.filter(pk=reply.pk).update(created_at=replied)
    # Yesterday's first reply does not count.
    old = inbound(service, provider_id="SM" + "f" * 32, address="+393330009999").interaction
    late = create_reply(old.pk, sender=agent.user, body="late")
    yesterday = now - timedelta(days=1, hours=23)
    Interaction.objects.filter(pk=old.pk).update(
        created_at=now - timedelta(days=2), first_reply_at=yesterday
    )
    Message.objects.filter(pk=late.pk).update(created_at=yesterday)
    # An automatic reply (no sender) is nobody's response.
    auto = inbound(service, provider_id="SM" + "e" * 32, address="+393330008888").interaction
    create_reply(auto.pk, sender=None, body="You are number 1 in the queue")
    figures = desk.first_responses_today([agent.pk, other.pk], now + timedelta(seconds=1))
    assert figures[agent.pk] == {"count": 3, "median_seconds": 120}
    assert figures[other.pk] == {"count": 1, "median_seconds": 30}
    snapshot = desk.supervisor_snapshot(now=now + timedelta(seconds=1))
    row = next(a for a in snapshot["agents"] if a["id"] == agent.pk)
    assert row["first_responses_today"]["median_seconds"] == 120
    assert set(row["presence_seconds_today"]) == {"online", "away", "offline"}
