"""Only administrators reach the console: agents get 403, anonymous visitors the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_login_page(client, console_urls):
    for url in console_urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_agents_get_a_friendly_403_with_a_link_to_the_desk(agent_client, console_urls):
    for url in console_urls:
        response = agent_client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "Access denied" in body
        assert f'href="{reverse("agents:desk")}"' in body


def test_administrators_open_every_page(admin_client, console_urls):
    for url in console_urls:
        assert admin_client.get(url).status_code == 200, url


@pytest.mark.parametrize("name", ["services:deactivate", "services:activate"])
def test_agents_cannot_switch_services(agent_client, service, name):
    response = agent_client.post(reverse(name, args=[service.pk]))
    assert response.status_code == 403
    service.refresh_from_db()
    assert service.is_active is True


def test_agents_cannot_change_profiles_or_settings(agent_client, agent, make_agent):
    other = make_agent("bea")
    assert (
        agent_client.post(reverse("agents:user_deactivate", args=[other.user.pk])).status_code
        == 403
    )
    assert (
        agent_client.post(
            reverse("agents:user_edit", args=[agent.user.pk]),
            {"chat_enabled": "on", "max_interactions": "50", "is_active": "on"},
        ).status_code
        == 403
    )
    assert (
        agent_client.post(
            reverse("advanced_settings:chat_channel"), {"action": "save", "account_sid": ""}
        ).status_code
        == 403
    )
    other.user.refresh_from_db()
    agent.refresh_from_db()
    assert other.user.is_active and agent.max_interactions == 3


def test_anonymous_posts_change_nothing(client, service):
    response = client.post(reverse("services:deactivate", args=[service.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    service.refresh_from_db()
    assert service.is_active


def test_an_agent_on_the_home_page_lands_on_the_desk(agent_client):
    assert agent_client.get(reverse("home"))["Location"] == reverse("agents:desk")
