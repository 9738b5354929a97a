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
    response = client.patch(
        f"{URL}{service.pk}/", {"name": "Renamed"}, format="json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 200


WRONG = "0000000000000000000000000000000000000000"


def client_with(key: str, **meta) -> APIClient:
    client = APIClient(**meta)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize("limit", [3])
def test_repeated_bad_tokens_are_throttled_per_address(admin_user, settings, limit):
    settings.OCC_API_AUTH_FAILURES_LIMIT = limit
    guesser = client_with(WRONG, REMOTE_ADDR="203.0.113.9")
    assert [guesser.get(URL).status_code for _ in range(limit)] == [401] * limit
    blocked = guesser.get(URL)
    assert blocked.status_code == 429 and blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    # Other addresses are unaffected.
    assert client_with(WRONG, REMOTE_ADDR="198.51.100.7").get(URL).status_code == 401


def test_wrong_tokens_from_one_address_never_block_a_valid_token_from_it(admin_user, settings):
    """11 wrong tokens from one address (everyone behind a proxy shares one): a valid one still works."""
    settings.OCC_API_AUTH_FAILURES_LIMIT = 10
    good = Token.objects.create(user=admin_user).key
    statuses = [
        client_with(f"{index:040x}", REMOTE_ADDR="203.0.113.9").get(URL).status_code
        for index in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    assert client_with(good, REMOTE_ADDR="203.0.113.9").get(URL).status_code == 200


def test_guessing_one_tokens_secret_locks_only_that_prefix_at_that_address(
    admin_user, agent, settings
):
    settings.OCC_API_AUTH_FAILURES_LIMIT = 10
    target = Token.objects.create(user=admin_user).key
    other = Token.objects.create(user=agent.user).key
    guess = target[:8] + "f" * 32 if target[8:] != "f" * 32 else target[:8] + "e" * 32
    statuses = [
        client_with(guess, REMOTE_ADDR="203.0.113.9").get(URL).status_code for _ in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    # Only that prefix from that address waits out the window...
    assert client_with(target, REMOTE_ADDR="203.0.113.9").get(URL).status_code == 429
    # ...another user's valid token from the same address, and the same token elsewhere, work.
    assert (
        client_with(other, REMOTE_ADDR="203.0.113.9").get("/api/v1/interactions/").status_code
        == 200
    )
    assert client_with(target, REMOTE_ADDR="198.51.100.7").get(URL).status_code == 200


def test_behind_a_trusted_proxy_clients_are_counted_apart(admin_user, settings):
    settings.OCC_TRUSTED_PROXIES = ["10.0.0.5"]
    settings.OCC_API_AUTH_FAILURES_LIMIT = 3
    first = client_with(WRONG, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert [first.get(URL).status_code for _ in range(4)] == [401, 401, 401, 429]
    second = client_with(WRONG, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert second.get(URL).status_code == 401


def test_forwarded_for_from_an_untrusted_peer_is_ignored_by_the_count(admin_user, settings):
    settings.OCC_TRUSTED_PROXIES = ["10.0.0.5"]
    settings.OCC_API_AUTH_FAILURES_LIMIT = 3
    for index in range(3):
        client_with(
            WRONG, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}"
        ).get(URL)
    assert (
        client_with(WRONG, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="192.0.2.1")
        .get(URL)
        .status_code
        == 429
    )


def test_successful_requests_do_not_count_as_failures(admin_user, settings):
    settings.OCC_API_AUTH_FAILURES_LIMIT = 2
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    assert all(client.get(URL).status_code == 200 for _ in range(5))
