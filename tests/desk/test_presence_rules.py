"""Presence rules: returning conversations when going away or offline, and the per-service offline timer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents.models import Presence
from desk import actions
from interactions.models import Interaction, InteractionState
from services.models import OfflineConversations
from tests.conftest import make_tasks_due
from tests.desk.helpers import inbound

pytestmark = pytest.mark.django_db

TIMER = "desk.tasks.release_after_offline"


def held_by(agent) -> list[int]:
    return list(
        Interaction.objects.filter(agent=agent, state=InteractionState.ASSIGNED).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture
def requeue_after_20(service):
    service.offline_conversations = OfflineConversations.REQUEUE
    service.offline_after_minutes = 20
    service.save()
    return service


def test_an_agent_offline_for_longer_than_the_services_minutes_loses_their_conversations_to_a_colleague(
    agent, make_agent, requeue_after_20, run_tasks
):
    result = inbound(requeue_after_20, provider_id="SM" + "e1" * 16)
    assert held_by(agent) == [result.interaction.pk]
    colleague = make_agent("bea", presence=Presence.AWAY)
    before = timezone.now()
    actions.set_presence(agent, Presence.OFFLINE)
    timer = DBTaskResult.objects.get(task_path=TIMER)
    # The timer waits the service's 20 minutes.
    assert timedelta(minutes=19) < timer.run_after - before < timedelta(minutes=21)
    assert run_tasks() == 0
    assert held_by(agent) == [result.interaction.pk]
    actions.set_presence(colleague, Presence.ONLINE)  # nothing moves yet: the agent still holds it
    assert held_by(colleague) == []
    make_tasks_due()
    assert run_tasks() == 1
    assert held_by(agent) == []
    # Back in the queue and routed afresh: the colleague online takes it.
    assert held_by(colleague) == [result.interaction.pk]


def test_coming_back_before_the_minutes_pass_keeps_everything(agent, requeue_after_20, run_tasks):
    result = inbound(requeue_after_20, provider_id="SM" + "e2" * 16)
    actions.set_presence(agent, Presence.OFFLINE)
    first = DBTaskResult.objects.get(task_path=TIMER)
    actions.set_presence(agent, Presence.ONLINE)
    actions.set_presence(agent, Presence.OFFLINE)
    # The first absence's timer comes due: the agent came back since, so it does nothing
    # (the second absence has its own 20 minutes).
    DBTaskResult.objects.filter(pk=first.pk).update(run_after=timezone.now())
    assert run_tasks() == 1
    assert held_by(agent) == [result.interaction.pk]
    actions.set_presence(agent, Presence.AWAY)
    make_tasks_due()
    run_tasks()
    assert held_by(agent) == [result.interaction.pk]


def test_a_service_that_keeps_them_starts_no_timer(agent, service, run_tasks):
    result = inbound(service, provider_id="SM" + "e3" * 16)
    actions.set_presence(agent, Presence.OFFLINE)
    assert not DBTaskResult.objects.filter(task_path=TIMER).exists()
    assert held_by(agent) == [result.interaction.pk]


def test_going_away_and_returning_them_now_puts_them_back_in_the_queue(agent, service):
    result = inbound(service, provider_id="SM" + "e4" * 16)
    actions.set_presence(agent, Presence.AWAY, release=True)
    assert held_by(agent) == []
    assert Interaction.objects.get(pk=result.interaction.pk).state == InteractionState.QUEUED
