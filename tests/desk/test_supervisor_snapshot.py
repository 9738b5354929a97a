"""The supervisor's live view read in few queries: the same answer as the plain computation, and
a number of queries that does not grow with the agents or the open conversations."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agents.models import AgentProfile
from agents.roles import Role, set_role
from desk import selectors as desk
from interactions import selectors as core
from interactions.actions.outbound import create_reply
from interactions.models import (
    Direction,
    Interaction,
    InteractionState,
    Message,
)
from interactions.payloads import interaction_dict
from tests.desk.helpers import inbound

pytestmark = pytest.mark.django_db


def plain_first_responses(agent_ids: list[int], now) -> dict[int, dict]:
    """Each conversation's messages read one by one: its first reply by a person, if sent today."""
    start = desk.day_start(now)
    times: dict[int, list[float]] = {}
    for interaction in Interaction.objects.all():
        people = [
            m
            for m in Message.objects.filter(interaction=interaction).select_related("sender")
            if m.direction == Direction.OUTBOUND and m.sender_id is not None
        ]
        if not people:
            continue
        first = min(people, key=lambda m: (m.created_at, m.pk))
        profile = getattr(first.sender, "agent_profile", None)
        if profile is None or profile.pk not in agent_ids or not start <= first.created_at <= now:
            continue
        times.setdefault(profile.pk, []).append(
            (first.created_at - interaction.created_at).total_seconds()
        )
    return {
        a: {
            "count": len(times.get(a, [])),
            "median_seconds": round(statistics.median(times[a])) if times.get(a) else None,
        }
        for a in agent_ids
    }


def test_first_responses_today_are_the_plain_computation(service, make_agent, django_user_model):
    now = timezone.now().replace(hour=15, minute=0)
    agents = [make_agent(f"agent{i}") for i in range(3)]
    supervisor = django_user_model.objects.create_user("sam", password="sup-pass-123")
    set_role(supervisor, Role.SUPERVISOR)  # no agent profile: their reply is nobody's response
    senders = [None, supervisor, *[a.user for a in agents]]
    rng = random.Random(5)
    for n in range(40):
        interaction = inbound(
            service, provider_id=f"SM{n:032x}", address=f"+3933300{n:05d}"
        ).interaction
        started = now - timedelta(hours=rng.randint(1, 60))
        Interaction.objects.filter(pk=interaction.pk).update(created_at=started)
        at = started
        for _ in range(rng.randint(0, 4)):
            # Some replies share a moment: the earlier row is the first.
            at = at + timedelta(minutes=rng.choice([0, 0, 5, 90, 600]))
            reply = create_reply(
                interaction.pk, sender=rng.choice(senders), body="Hi", allow_closed=True
            )
            Message.objects.filter(pk=reply.pk).update(
                created_at=min(at, now - timedelta(seconds=1))
            )
    ids = [a.pk for a in agents]
    expected = plain_first_responses(ids, now)
    assert sum(row["count"] for row in expected.values()) >= 5  # something to compare
    assert desk.first_responses_today(ids, now) == expected


def test_open_conversations_as_columns_are_the_payload_of_their_objects(service, agent, make_agent):
    from services.models import Service

    other = Service.objects.create(name="Other", close_reason_required=True)
    for n in range(6):
        item = inbound(service, provider_id=f"SM{n:032x}", address=f"+39333000{n:04d}").interaction
        Interaction.objects.filter(pk=item.pk).update(service=other if n % 3 == 0 else service)
        if n % 2:
            Interaction.objects.filter(pk=item.pk).update(
                state=InteractionState.ASSIGNED, agent=agent, assigned_at=timezone.now()
            )
    Interaction.objects.filter(pk=item.pk).update(state=InteractionState.CLOSED)
    now = timezone.now()
    expected = []
    for item in (
        Interaction.objects.filter(state__in=["queued", "assigned"])
        .select_related("service", "contact", "agent__user")
        .order_by("queued_at", "pk")
    ):
        data = interaction_dict(item)
        data["agent_name"] = item.agent.display_name if item.agent else ""
        data["waiting_seconds"] = (
            int((now - item.queued_at).total_seconds()) if item.state == "queued" else 0
        )
        expected.append(data)
    assert len(expected) == 5 and any(row["agent_name"] for row in expected)
    snapshot = core.supervisor_snapshot(now=now)
    assert snapshot["interactions"] == expected
    # The agents' services, read from the link table, in the order of their objects.
    agent.services.add(other)
    make_agent("zed").services.set([other, service])
    served = {a.pk: [s.pk for s in a.services.all()] for a in AgentProfile.objects.all()}
    assert len(served[agent.pk]) == 2
    assert {a["id"]: a["service_ids"] for a in core.supervisor_snapshot()["agents"]} == served


def _queries(now) -> int:
    with CaptureQueriesContext(connection) as captured:
        desk.supervisor_snapshot(now=now)
    return len(captured.captured_queries)


def test_the_snapshot_takes_as_many_queries_for_many_conversations_as_for_few(service, make_agent):
    first = make_agent("first")
    inbound(service, provider_id="SM" + "a" * 32, address="+393330000001")
    few = _queries(timezone.now())
    for n in range(6):
        agent = make_agent(f"more{n}")
        item = inbound(service, provider_id=f"SM{n:032x}", address=f"+39333100{n:04d}").interaction
        Interaction.objects.filter(pk=item.pk).update(
            state=InteractionState.ASSIGNED, agent=agent if n % 2 else first
        )
        create_reply(item.pk, sender=agent.user, body="Hello")
    assert _queries(timezone.now()) == few


@pytest.mark.postgres
def test_datetimes_read_as_epoch_microseconds_are_the_same_datetimes(service):
    from datetime import UTC, datetime

    from occ.lib import rows as fast_rows

    item = inbound(service, provider_id="SM" + "b" * 32, address="+393330000002").interaction
    moments = [
        datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
        datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    ]
    Interaction.objects.filter(pk=item.pk).update(
        created_at=moments[0], queued_at=moments[1], assigned_at=None, closed_at=moments[2]
    )
    fields = ("id", "created_at", "queued_at", "assigned_at", "closed_at", "contact__created_at")
    times = ("created_at", "queued_at", "assigned_at", "closed_at", "contact__created_at")
    queryset = Interaction.objects.filter(pk=item.pk)
    fast = fast_rows.values(queryset, fields, datetimes=times)
    assert fast == list(queryset.values(*fields))
    assert [fast[0][name].isoformat() for name in ("created_at", "closed_at")] == [
        m.isoformat() for m in (moments[0], moments[2])
    ]
