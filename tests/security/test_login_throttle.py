"""Login lockouts (django-axes): guessing a password locks that username out from that address only.

Keyed by (username, client address): nobody else is locked out, not even
behind a proxy where every user shares the proxy's address.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

RIGHT = "agent-pass-123"


def login(client, username="alex", password=RIGHT, ip="203.0.113.5", url=None, **extra):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


def fail(client, times, **kwargs):
    for _ in range(times):
        response = login(client, password="wrong-guess", **kwargs)
        assert response.status_code == 200


def test_right_password_is_refused_after_too_many_failures(client, agent, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 5
    fail(client, 5)
    response = login(client)
    assert response.status_code == 200, "no session was started"
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Too many failed log-in attempts" in html and "try again in 15 minutes" in html


def test_failures_below_the_limit_do_not_lock(client, agent, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 5
    fail(client, 4)
    assert login(client).status_code == 302
    assert not AccessAttempt.objects.filter(username="alex").exists(), (
        "a success clears the failures"
    )


def test_the_lockout_is_per_address_and_ends(client, agent, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 3
    fail(client, 3)
    assert login(client).status_code == 200
    assert login(client, ip="198.51.100.1").status_code == 302, (
        "the agent's own office is not locked"
    )
    client.logout()
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(seconds=settings.OCC_LOGIN_LOCKOUT_SECONDS + 1)
    )
    assert login(client).status_code == 302, "the lockout ends after its period"


def test_username_case_and_spaces_do_not_dodge_the_count(client, agent, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 3
    for name in ("alex", "ALEX", " Alex "):
        login(client, username=name, password="nope")
    assert "Too many failed" in login(client).content.decode()


def test_one_users_failures_do_not_lock_out_another_user_at_the_same_address(
    client, agent, make_agent, settings
):
    """11 wrong passwords for alex from one address: bea, at that address, still logs in."""
    settings.OCC_LOGIN_MAX_FAILURES = 5
    make_agent("bea")
    fail(client, 11)
    assert "Too many failed" in login(client).content.decode(), (
        "alex is locked out from that address"
    )
    response = login(client, username="bea", password=RIGHT)
    assert response.status_code == 302 and client.session["_auth_user_id"]


def test_many_usernames_from_one_address_lock_out_only_those_usernames(client, agent, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 3
    for index in range(40):
        login(client, username=f"someone{index}", password="nope")
    assert login(client).status_code == 302, "an address is never locked as a whole"


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, agent, settings):
    settings.OCC_TRUSTED_PROXIES = ["10.0.0.5"]
    settings.OCC_LOGIN_MAX_FAILURES = 3
    fail(client, 3, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert (
        "Too many failed"
        in login(client, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.5").content.decode()
    )
    assert login(client, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_count(client, agent, settings):
    settings.OCC_TRUSTED_PROXIES = ["10.0.0.5"]
    settings.OCC_LOGIN_MAX_FAILURES = 3
    for index in range(3):
        login(client, password="nope", HTTP_X_FORWARDED_FOR=f"198.51.100.{index}")
    assert "Too many failed" in login(client, HTTP_X_FORWARDED_FOR="198.51.100.99").content.decode()


def test_the_admin_login_sends_to_the_throttled_log_in_page(client, admin_user, settings):
    # Its own form would sign in with the password alone, past the two-factor code
    # (and clear the lockout counts the codes add to): it is never used.
    settings.OCC_LOGIN_MAX_FAILURES = 2
    url = reverse("admin:login")
    response = login(client, username="ada", password="admin-pass-123", url=url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    for _ in range(2):
        login(client, username="ada", password="nope")
    response = login(client, username="ada", password="admin-pass-123")
    assert response.status_code == 200 and "Too many failed" in response.content.decode()


def test_the_lockout_message_speaks_italian(client, agent, settings):
    settings.OCC_LOGIN_MAX_FAILURES = 1
    login(client, password="nope")
    response = client.post(
        reverse("login"),
        {"username": "alex", "password": RIGHT},
        REMOTE_ADDR="203.0.113.5",
        HTTP_ACCEPT_LANGUAGE="it",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Troppi tentativi di accesso non riusciti" in response.content.decode()
