"""Roles: set in Users (console form, invitation, API), read by agents.roles, audit-logged, enforced."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from agents.roles import Role, is_administrator, is_supervisor, role_of, set_role
from audit.models import AuditEntry
from tests.console.test_users import profile_data
from tests.faults.async_helpers import run_async
from tests.security.test_desk_commands_access import command

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def role_entries(user):
    return [
        e.changes["role"]
        for e in AuditEntry.objects.filter(object_id=str(user.pk)).order_by("id")
        if "role" in e.changes
    ]


def test_the_console_form_makes_an_agent_a_supervisor_and_back_with_audit_entries(
    admin_client, admin_user, agent
):
    url = reverse("agents:user_edit", args=[agent.user.pk])
    response = admin_client.post(url, profile_data(agent, role="supervisor"))
    assert response.status_code == 302
    user = fresh(agent.user)
    assert role_of(user) == Role.SUPERVISOR and is_supervisor(user)
    assert not is_administrator(user) and not user.is_staff
    listing = admin_client.get(reverse("agents:user_list")).content.decode()
    assert '<td class="role">Supervisor</td>' in listing
    admin_client.post(url, profile_data(agent, role="administrator"))
    user = fresh(agent.user)
    assert user.is_staff and role_of(user) == Role.ADMINISTRATOR
    admin_client.post(url, profile_data(agent, role="agent"))
    user = fresh(agent.user)
    assert role_of(user) == Role.AGENT and not is_supervisor(user)
    assert role_entries(user) == [
        {"from": "agent", "to": "supervisor"},
        {"from": "supervisor", "to": "administrator"},
        {"from": "administrator", "to": "agent"},
    ]
    entry = AuditEntry.objects.filter(changes__has_key="role").first()
    assert entry.actor_id == admin_user.pk


def test_saving_without_a_change_writes_no_role_entry(admin_client, agent):
    url = reverse("agents:user_edit", args=[agent.user.pk])
    admin_client.post(url, profile_data(agent, role="agent"))
    assert role_entries(agent.user) == []


def test_administrators_cannot_change_their_own_role(admin_client, admin_user):
    from agents.models import AgentProfile

    profile = AgentProfile.objects.create(user=admin_user)
    response = admin_client.post(
        reverse("agents:user_edit", args=[admin_user.pk]), profile_data(profile, role="agent")
    )
    assert response.status_code == 200
    assert "You cannot change your own role." in response.content.decode()
    assert fresh(admin_user).is_staff


def test_an_invitation_gives_the_role(admin_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("agents:user_invite"),
            {"username": "sara", "email": "sara@example.com", "role": "supervisor"},
        )
    user = get_user_model().objects.get(username="sara")
    assert role_of(user) == Role.SUPERVISOR and not user.is_staff


def test_the_api_sets_and_shows_the_role(admin_user, agent):
    client = APIClient()
    client.force_authenticate(admin_user)
    response = client.patch(f"/api/v1/agents/{agent.pk}/", {"role": "supervisor"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["role"] == "supervisor"
    assert role_of(fresh(agent.user)) == Role.SUPERVISOR
    listed = client.get("/api/v1/agents/").json()["results"]
    assert [row["role"] for row in listed if row["id"] == agent.pk] == ["supervisor"]
    assert (
        client.patch(f"/api/v1/agents/{agent.pk}/", {"role": "king"}, format="json").status_code
        == 400
    )
    me = APIClient()
    me.force_authenticate(fresh(agent.user))
    assert me.get("/api/v1/me/").json()["user"]["role"] == "supervisor"


def test_home_takes_each_role_to_its_page(client, admin_user, agent, django_user_model):
    watcher = django_user_model.objects.create_user(username="sam", password="x-pass-123")
    set_role(watcher, Role.SUPERVISOR)
    for user, page in (
        (admin_user, "console_home"),
        (watcher, "agents:supervisor"),
        (agent.user, "agents:desk"),
    ):
        client.force_login(user)
        assert client.get("/")["Location"] == reverse(page)
    client.force_login(watcher)
    page = client.get(reverse("agents:supervisor")).content.decode()
    assert 'href="/desk/supervisor/"' in page and reverse("agents:user_list") not in page


@pytest.mark.django_db(transaction=True)
def test_the_supervisor_command_of_the_desk_socket_follows_the_role(service, make_agent):
    agent = make_agent("alex")
    answer = run_async(command, agent.user, {"type": "supervisor"})()
    assert answer["type"] == "error"
    set_role(agent.user, Role.SUPERVISOR)
    user = fresh(agent.user)
    answer = run_async(command, user, {"type": "supervisor"})()
    assert answer["type"] == "supervisor" and answer["agents"]


def test_two_factor_required_for_staff_covers_supervisors(django_user_model, agent):
    from accounts.models import SecuritySettings, TwoFactorRequirement
    from accounts.two_factor import must_have

    SecuritySettings.objects.update_or_create(
        pk=1, defaults={"two_factor_required": TwoFactorRequirement.STAFF}
    )
    watcher = django_user_model.objects.create_user(username="sam", password="x-pass-123")
    set_role(watcher, Role.SUPERVISOR)
    assert must_have(fresh(watcher)) and not must_have(agent.user)
