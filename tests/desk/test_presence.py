"""Presence from open desk tabs, across worker processes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from agents.models import AgentProfile, DeskConnection, Presence
from desk import presence
from desk import tasks as presence_tasks
from tests.conftest import make_tasks_due
from tests.desk.helpers import run

pytestmark = pytest.mark.django_db


def presence_of(agent) -> str:
    return AgentProfile.objects.get(pk=agent.pk).presence


def test_a_tab_in_another_process_keeps_the_agent_online(agent):
    presence.connection_opened(agent.pk, "worker-1.tab")
    presence.connection_opened(agent.pk, "worker-2.tab")
    presence.connection_closed("worker-1.tab")
    assert presence.offline_if_no_desk(agent.pk) is False
    assert presence_of(agent) == Presence.ONLINE


def test_after_the_grace_period_with_no_tab_the_agent_is_offline_and_keeps_interactions(
    agent, service
):
    from interactions.actions.inbound import InboundMessage, receive_inbound
    from tests.conftest import CUSTOMER_NUMBER

    result = receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "7" * 32),
    )
    presence.connection_opened(agent.pk, "worker-1.tab")
    presence.connection_closed("worker-1.tab")
    assert presence.offline_if_no_desk(agent.pk) is True
    assert presence_of(agent) == Presence.OFFLINE
    result.interaction.refresh_from_db()
    assert result.interaction.agent_id == agent.pk


def test_tabs_of_a_stopped_process_stop_counting(agent):
    presence.connection_opened(agent.pk, "dead-worker.tab")
    DeskConnection.objects.update(
        seen_at=timezone.now() - presence.STALE_AFTER - timedelta(seconds=1)
    )
    assert presence_tasks.sweep_presence() == 1  # the periodic job (engine.periodic), every minute
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


class TestGraceTimer:
    """Offline after the grace period is a timer task: it outlives the web process that scheduled it."""

    @pytest.mark.django_db(transaction=True)  # the tab's consumer runs in another thread
    def test_a_closed_tab_sets_the_agent_offline_after_the_grace_even_when_its_process_is_gone(
        self, tab, agent, settings, run_tasks
    ):
        settings.OCC_PRESENCE_GRACE_SECONDS = 30

        async def scenario():
            desk = tab(agent.user)
            await desk.open()
            await desk.close()
            # The scenario's event loop ends here, as a restarted web process's would.

        run(scenario)
        assert presence_of(agent) == Presence.ONLINE  # within the grace
        timer = DBTaskResult.objects.get(task_path="desk.tasks.offline_after_grace")
        assert (timer.run_after - timer.enqueued_at).total_seconds() == pytest.approx(30, abs=2)
        assert run_tasks() == 0  # not due yet
        make_tasks_due()
        run_tasks()
        assert presence_of(agent) == Presence.OFFLINE

    def test_a_tab_opened_within_the_grace_keeps_the_agent_online(self, agent, settings, run_tasks):
        settings.OCC_PRESENCE_GRACE_SECONDS = 30
        presence.connection_opened(agent.pk, "worker-1.tab")
        presence.tab_closed(agent.pk, "worker-1.tab")
        presence.connection_opened(agent.pk, "worker-1.reloaded")
        make_tasks_due()
        run_tasks()
        assert presence_of(agent) == Presence.ONLINE

    def test_the_timer_leaves_alone_an_agent_whose_presence_changed_after_the_tab_closed(
        self, agent, settings, run_tasks
    ):
        from desk.actions import set_presence

        settings.OCC_PRESENCE_GRACE_SECONDS = 30
        presence.connection_opened(agent.pk, "worker-1.tab")
        presence.tab_closed(agent.pk, "worker-1.tab")
        # The agent goes on working from the API (a phone app): away, then online again.
        profile = AgentProfile.objects.get(pk=agent.pk)
        set_presence(profile, Presence.AWAY)
        set_presence(profile, Presence.ONLINE)
        make_tasks_due()
        run_tasks()
        assert presence_of(agent) == Presence.ONLINE
        assert (
            DBTaskResult.objects.get(task_path="desk.tasks.offline_after_grace").return_value
            is False
        )
