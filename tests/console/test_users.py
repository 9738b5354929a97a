"""Users: create agents, edit profiles (channels, Max interactions, services), drain the queue at once."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from agents.models import AgentProfile
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.models import InteractionState
from services.models import Service
from tests.console.conftest import field_errors

pytestmark = pytest.mark.django_db

_sids = itertools.count(1)


def profile_data(profile=None, **overrides):
    data = {
        "first_name": "Alex",
        "last_name": "Agent",
        "is_active": "on",
        "chat_enabled": "on",
        "whatsapp_enabled": "on",
        "max_interactions": "3",
        "services": [s.pk for s in profile.services.all()] if profile else [],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit(client, profile, **overrides):
    return client.post(
        reverse("agents:user_edit", args=[profile.user.pk]), profile_data(profile, **overrides)
    )


def customer_writes(service, number):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=number, provider_id=f"SM{next(_sids):032x}", body="hi"
        ),
    ).interaction


class TestCreateAgent:
    def test_an_agent_is_created_with_a_profile_and_a_working_password(self, admin_client):
        response = admin_client.post(
            reverse("agents:user_create"),
            {
                "username": "bea",
                "first_name": "Bea",
                "last_name": "Rossi",
                "password1": "green-lamp-1984",
                "password2": "green-lamp-1984",
            },
        )
        user = get_user_model().objects.get(username="bea")
        assert response["Location"] == reverse("agents:user_edit", args=[user.pk])
        assert not user.is_staff and user.get_full_name() == "Bea Rossi"
        assert AgentProfile.objects.filter(user=user).exists()
        assert Client().login(username="bea", password="green-lamp-1984")

    def test_mismatched_passwords_are_refused(self, admin_client):
        response = admin_client.post(
            reverse("agents:user_create"),
            {"username": "bea", "password1": "green-lamp-1984", "password2": "green-lamp-1985"},
        )
        assert field_errors(response.content.decode(), "password2")
        assert not get_user_model().objects.filter(username="bea").exists()

    def test_a_weak_password_is_refused(self, admin_client):
        response = admin_client.post(
            reverse("agents:user_create"),
            {"username": "bea", "password1": "12345", "password2": "12345"},
        )
        assert response.status_code == 200
        assert not get_user_model().objects.filter(username="bea").exists()

    def test_a_taken_username_is_refused(self, admin_client, agent):
        response = admin_client.post(
            reverse("agents:user_create"),
            {"username": "alex", "password1": "green-lamp-1984", "password2": "green-lamp-1984"},
        )
        assert field_errors(response.content.decode(), "username")


class TestEditProfile:
    def test_channels_max_and_services_are_saved(self, admin_client, make_agent, service):
        other = Service.objects.create(name="Sales")
        profile = make_agent("bea", chat_enabled=False, whatsapp_enabled=False, services=[])
        response = edit(
            admin_client, profile, max_interactions="5", services=[service.pk, other.pk]
        )
        assert response.status_code == 302
        profile.refresh_from_db()
        assert profile.chat_enabled and profile.whatsapp_enabled and profile.max_interactions == 5
        assert set(profile.services.all()) == {service, other}

    def test_whatsapp_without_chat_is_refused(self, admin_client, agent):
        response = edit(admin_client, agent, chat_enabled=None, whatsapp_enabled="on")
        assert "Enable the Chat channel before WhatsApp" in field_errors(
            response.content.decode(), "whatsapp_enabled"
        )
        agent.refresh_from_db()
        assert agent.chat_enabled and agent.whatsapp_enabled

    def test_switching_chat_off_with_whatsapp_off_is_saved(self, admin_client, agent):
        assert (
            edit(admin_client, agent, chat_enabled=None, whatsapp_enabled=None).status_code == 302
        )
        agent.refresh_from_db()
        assert not agent.chat_enabled and not agent.whatsapp_enabled

    @pytest.mark.parametrize("value", ["0", "-1", "51", "2.5", "many", ""])
    def test_max_interactions_out_of_bounds_is_refused(self, admin_client, agent, value):
        response = edit(admin_client, agent, max_interactions=value)
        assert response.status_code == 200
        assert field_errors(response.content.decode(), "max_interactions")
        agent.refresh_from_db()
        assert agent.max_interactions == 3

    @pytest.mark.parametrize("value", [1, 50])
    def test_max_interactions_bounds_are_accepted(self, admin_client, agent, value):
        assert edit(admin_client, agent, max_interactions=str(value)).status_code == 302
        agent.refresh_from_db()
        assert agent.max_interactions == value

    def test_the_upper_bound_follows_the_setting(self, admin_client, agent, settings):
        settings.OCC_MAX_INTERACTIONS_LIMIT = 10
        response = edit(admin_client, agent, max_interactions="11")
        assert "10" in field_errors(response.content.decode(), "max_interactions")

    def test_an_administrator_without_a_profile_gets_one(self, admin_client, admin_user):
        response = admin_client.post(
            reverse("agents:user_edit", args=[admin_user.pk]),
            {"is_active": "on", "chat_enabled": "on", "max_interactions": "2"},
        )
        assert response.status_code == 302
        assert admin_user.agent_profile.max_interactions == 2

    def test_a_new_password_replaces_the_old_one_and_blank_keeps_it(self, admin_client, agent):
        edit(admin_client, agent, new_password="")
        assert Client().login(username="alex", password="agent-pass-123")
        edit(admin_client, agent, new_password="blue-river-2031")
        assert Client().login(username="alex", password="blue-river-2031")

    def test_the_password_is_never_rendered_back(self, admin_client, agent):
        response = edit(admin_client, agent, new_password="blue-river-2031", max_interactions="0")
        assert response.status_code == 200 and "blue-river-2031" not in response.content.decode()


class TestActivation:
    def test_deactivating_an_agent(self, admin_client, agent):
        admin_client.post(reverse("agents:user_deactivate", args=[agent.user.pk]))
        agent.user.refresh_from_db()
        assert not agent.user.is_active

    def test_an_administrator_cannot_deactivate_themself(self, admin_client, admin_user):
        admin_client.post(reverse("agents:user_deactivate", args=[admin_user.pk]))
        response = admin_client.post(
            reverse("agents:user_edit", args=[admin_user.pk]),
            {"chat_enabled": "on", "max_interactions": "2"},
        )
        assert "cannot deactivate your own account" in field_errors(
            response.content.decode(), "is_active"
        )
        admin_user.refresh_from_db()
        assert admin_user.is_active


class TestQueueDrainsAtOnce:
    def test_raising_max_interactions_assigns_the_waiting_customer(
        self, admin_client, make_agent, service
    ):
        profile = make_agent("bea", max_interactions=1)
        first = customer_writes(service, "+393330000001")
        waiting = customer_writes(service, "+393330000002")
        assert first.state == InteractionState.ASSIGNED and waiting.state == InteractionState.QUEUED

        edit(admin_client, profile, max_interactions="2")

        waiting.refresh_from_db()
        assert waiting.state == InteractionState.ASSIGNED and waiting.agent_id == profile.pk

    def test_adding_the_service_assigns_the_waiting_customer(
        self, admin_client, make_agent, service
    ):
        profile = make_agent("bea", services=[])
        waiting = customer_writes(service, "+393330000003")
        assert waiting.state == InteractionState.QUEUED

        edit(admin_client, profile, services=[service.pk])

        waiting.refresh_from_db()
        assert waiting.agent_id == profile.pk

    def test_enabling_whatsapp_assigns_the_waiting_customer(
        self, admin_client, make_agent, service
    ):
        profile = make_agent("bea", chat_enabled=False, whatsapp_enabled=False)
        waiting = customer_writes(service, "+393330000004")
        assert waiting.state == InteractionState.QUEUED

        edit(admin_client, profile, chat_enabled="on", whatsapp_enabled="on")

        waiting.refresh_from_db()
        assert waiting.agent_id == profile.pk

    def test_lowering_max_interactions_takes_nothing_away(self, admin_client, make_agent, service):
        profile = make_agent("bea", max_interactions=2)
        held = [customer_writes(service, f"+39333000001{i}") for i in range(2)]
        edit(admin_client, profile, max_interactions="1")
        for interaction in held:
            interaction.refresh_from_db()
            assert interaction.agent_id == profile.pk
        assert customer_writes(service, "+393330000019").state == InteractionState.QUEUED
