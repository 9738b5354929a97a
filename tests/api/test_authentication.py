"""Tokens for scripts, sessions (with CSRF) for the browser, 429 after repeated failures."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

URL = "/api/v1/services/"


def test_a_token_authenticates_and_a_revoked_one_does_not(admin_user, db):
    key = Token.objects.create(user=admin_user).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(URL).status_code == 200
    Token.objects.filter(key=key).delete()
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}
    assert response["WWW-Authenticate"] == "Token"


def test_an_inactive_users_token_is_refused(agent, db):
    key = Token.objects.create(user=agent.user).key
    agent.user.is_active = False
    agent.user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(URL).status_code == 401


def test_the_browser_session_needs_the_csrf_token_to_change_things(admin_user, service):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200
    response = client.patch(f"{URL}{service.pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    client.get("/settings/api-tokens/")  # any page that renders a form sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = client.patch(f"{URL}{service.pk}/", {"name": "Renamed"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200


@pytest.mark.parametrize("limit", [3])
def test_repeated_bad_tokens_are_throttled_per_address(admin_user, settings, limit):
    settings.OCC_API_AUTH_FAILURES_LIMIT = limit
    good = Token.objects.create(user=admin_user).key
    guesser = APIClient(REMOTE_ADDR="203.0.113.9")
    guesser.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert [guesser.get(URL).status_code for _ in range(limit)] == [401] * limit
    blocked = guesser.get(URL)
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    # Even a right token from that address waits out the window...
    guesser.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert guesser.get(URL).status_code == 429
    # ...while other addresses are unaffected.
    other = APIClient(REMOTE_ADDR="198.51.100.7")
    other.credentials(HTTP_AUTHORIZATION=f"Token {good}")
    assert other.get(URL).status_code == 200


def test_successful_requests_do_not_count_as_failures(admin_user, settings):
    settings.OCC_API_AUTH_FAILURES_LIMIT = 2
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    assert all(client.get(URL).status_code == 200 for _ in range(5))
