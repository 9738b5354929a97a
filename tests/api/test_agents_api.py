"""Agents and their profiles: Chat, WhatsApp, Max interactions, services, presence."""

from __future__ import annotations

from django.conf import settings

from agents.models import AgentProfile, Presence
from interactions.models import InteractionState
from tests.api.conftest import errors_of

URL = "/api/v1/agents/"


def test_administrator_creates_an_agent_with_a_user(admin_api, service):
    response = admin_api.post(
        URL,
        {
            "username": "dario",
            "first_name": "Dario",
            "password": "a-long-pass-phrase-42",
            "chat_enabled": True,
            "whatsapp_enabled": True,
            "max_interactions": 4,
            "services": [service.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        "password" not in body
        and body["services"] == [service.pk]
        and body["open_interactions"] == 0
    )
    profile = AgentProfile.objects.get(pk=body["id"])
    assert profile.user.check_password("a-long-pass-phrase-42") and profile.max_interactions == 4


def test_whatsapp_without_chat_is_refused_like_in_the_console(admin_api, db):
    errors = errors_of(
        admin_api.post(
            URL,
            {"username": "x", "password": "a-long-pass-phrase-42", "whatsapp_enabled": True},
            format="json",
        )
    )
    assert list(errors) == ["whatsapp_enabled"]


def test_max_interactions_has_the_models_bounds(admin_api, agent):
    errors = errors_of(
        admin_api.patch(
            f"{URL}{agent.pk}/",
            {"max_interactions": settings.OCC_MAX_INTERACTIONS_LIMIT + 1},
            format="json",
        )
    )
    assert list(errors) == ["max_interactions"]
    assert list(
        errors_of(admin_api.patch(f"{URL}{agent.pk}/", {"max_interactions": 0}, format="json"))
    ) == ["max_interactions"]


def test_weak_passwords_and_taken_usernames_are_field_errors(admin_api, agent):
    assert list(
        errors_of(
            admin_api.post(
                URL, {"username": "alex", "password": "a-long-pass-phrase-42"}, format="json"
            )
        )
    ) == ["username"]
    assert list(errors_of(admin_api.post(URL, {"username": "nopass"}, format="json"))) == [
        "password"
    ]
    errors = errors_of(
        admin_api.post(URL, {"username": "newbie", "password": "123"}, format="json")
    )
    assert list(errors) == ["password"] and any("short" in m for m in errors["password"])


def test_raising_max_interactions_takes_waiting_interactions_at_once(
    admin_api, make_agent, inbound
):
    full = make_agent("solo", max_interactions=1)
    first = inbound("+393330000001")
    second = inbound("+393330000002")
    assert first.agent_id == full.pk and second.state == InteractionState.QUEUED
    response = admin_api.patch(f"{URL}{full.pk}/", {"max_interactions": 2}, format="json")
    assert response.status_code == 200
    second.refresh_from_db()
    assert second.state == InteractionState.ASSIGNED and second.agent_id == full.pk
    assert admin_api.get(f"{URL}{full.pk}/").json()["open_interactions"] == 2


def test_administrator_sets_presence_and_an_online_agent_drains_the_queue(
    admin_api, make_agent, inbound
):
    away = make_agent("away", presence=Presence.OFFLINE)
    waiting = inbound()
    assert waiting.state == InteractionState.QUEUED
    response = admin_api.patch(f"{URL}{away.pk}/", {"presence": "online"}, format="json")
    assert response.status_code == 200 and response.json()["presence"] == "online"
    waiting.refresh_from_db()
    assert waiting.agent_id == away.pk


def test_an_agent_reads_their_own_profile_and_sets_presence(agent_api, agent):
    me = agent_api.get("/api/v1/me/").json()
    assert me["agent"]["id"] == agent.pk and me["user"]["is_administrator"] is False
    response = agent_api.post("/api/v1/me/presence/", {"presence": "away"}, format="json")
    assert response.status_code == 200 and response.json()["presence"] == "away"
    agent.refresh_from_db()
    assert agent.presence == Presence.AWAY
    assert "presence" in errors_of(
        agent_api.post("/api/v1/me/presence/", {"presence": "asleep"}, format="json")
    )


def test_an_administrator_changes_an_agents_password_and_name(admin_api, agent):
    response = admin_api.patch(
        f"{URL}{agent.pk}/",
        {"password": "another-long-phrase-7", "first_name": "Alex"},
        format="json",
    )
    assert response.status_code == 200, response.content
    agent.user.refresh_from_db()
    assert agent.user.check_password("another-long-phrase-7") and agent.user.first_name == "Alex"
    assert "username" in errors_of(
        admin_api.patch(f"{URL}{agent.pk}/", {"username": "renamed"}, format="json")
    )


def test_agents_cannot_configure_agents(anon, agent_api, other_agent, admin_api):
    assert anon.get(URL).status_code == 401
    assert agent_api.get(URL).status_code == 403
    assert agent_api.get(f"{URL}{other_agent.pk}/").status_code == 403
    assert (
        agent_api.patch(
            f"{URL}{other_agent.pk}/", {"max_interactions": 9}, format="json"
        ).status_code
        == 403
    )
    assert anon.get("/api/v1/me/").status_code == 401
    me = admin_api.get("/api/v1/me/").json()
    assert me["agent"] is None and me["user"]["is_administrator"] is True  # no agent profile
    assert admin_api.get(URL).json()["count"] == 2


def test_filter_agents_by_service_and_presence(admin_api, make_agent, service):
    make_agent("on")
    make_agent("off", presence=Presence.OFFLINE)
    make_agent("none", services=[])
    names = {
        a["username"]
        for a in admin_api.get(f"{URL}?service={service.pk}&presence=online").json()["results"]
    }
    assert names == {"on"}
    ordered = [
        a["username"] for a in admin_api.get(f"{URL}?ordering=-user__username").json()["results"]
    ]
    assert ordered == ["on", "off", "none"]
