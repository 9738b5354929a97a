"""Settings → API tokens: administrators create (shown once) and revoke tokens."""

from __future__ import annotations

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

PAGE = "/settings/api-tokens/"


def test_administrator_creates_a_token_that_is_shown_once_and_works(admin_client, agent):
    response = admin_client.post(PAGE + "create/", {"user": agent.user_id}, follow=True)
    key = Token.objects.get(user=agent.user).key
    assert key in response.content.decode()
    assert key not in admin_client.get(PAGE).content.decode()  # only once
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").json()["agent"]["id"] == agent.pk


def test_replacing_a_token_stops_the_old_one(admin_client, agent):
    admin_client.post(PAGE + "create/", {"user": agent.user_id})
    old = Token.objects.get(user=agent.user).key
    admin_client.post(PAGE + "create/", {"user": agent.user_id})
    assert Token.objects.get(user=agent.user).key != old


def test_revoking_a_token_refuses_scripts_at_once(admin_client, agent):
    key = Token.objects.create(user=agent.user).key
    response = admin_client.post(f"{PAGE}{agent.user_id}/revoke/", follow=True)
    assert response.status_code == 200 and not Token.objects.filter(user=agent.user).exists()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401


def test_the_page_is_for_administrators_only(client, agent):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(agent.user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE + "create/", {"user": agent.user_id}).status_code == 403
    assert not Token.objects.exists()


def test_the_console_links_to_the_token_page(admin_client):
    assert PAGE in admin_client.get(PAGE).content.decode()


def test_the_token_page_speaks_italian(admin_client):
    page = admin_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "Token API" in page and "Crea token" in page
