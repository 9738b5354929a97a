"""Presence from open desk tabs, across worker processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from agents import presence
from agents.models import AgentProfile, DeskConnection, Presence

pytestmark = pytest.mark.django_db


def presence_of(agent) -> str:
    return AgentProfile.objects.get(pk=agent.pk).presence


def test_a_tab_in_another_process_keeps_the_agent_online(agent):
    presence.connection_opened(agent.pk, "worker-1.tab")
    presence.connection_opened(agent.pk, "worker-2.tab")
    presence.connection_closed("worker-1.tab")
    assert presence.offline_if_no_desk(agent.pk) is False
    assert presence_of(agent) == Presence.ONLINE


def test_after_the_grace_period_with_no_tab_the_agent_is_offline_and_keeps_interactions(agent, service):
    from interactions.actions.inbound import InboundMessage, receive_inbound
    from tests.conftest import CUSTOMER_NUMBER

    result = receive_inbound(
        service, InboundMessage(channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "7" * 32)
    )
    presence.connection_opened(agent.pk, "worker-1.tab")
    presence.connection_closed("worker-1.tab")
    assert presence.offline_if_no_desk(agent.pk) is True
    assert presence_of(agent) == Presence.OFFLINE
    result.interaction.refresh_from_db()
    assert result.interaction.agent_id == agent.pk


def test_tabs_of_a_stopped_process_stop_counting(agent):
    presence.connection_opened(agent.pk, "dead-worker.tab")
    DeskConnection.objects.update(seen_at=timezone.now() - presence.STALE_AFTER - timedelta(seconds=1))
    call_command("sweep_presence", stdout=open("/dev/null", "w"))
    assert presence_of(agent) == Presence.OFFLINE
    assert not DeskConnection.objects.exists()


def test_the_sweep_leaves_agents_without_desk_tabs_alone(agent):
    # Presence set through the API, no desk ever opened.
    assert presence.sweep_stale() == []
    assert presence_of(agent) == Presence.ONLINE


def test_logging_out_sets_the_agent_offline(client, agent):
    client.force_login(agent.user)
    client.post("/accounts/logout/")
    assert presence_of(agent) == Presence.OFFLINE
