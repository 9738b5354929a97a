"""Who may open what: anonymous, agent, another agent, administrator, over every URL of the project.

The URLs are discovered from the URLconf (tests/security/urlconf.py), so a
page added later is checked without touching this file: it is treated as an
administrators' console page unless listed as public or for agents.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.urlconf import endpoints

pytestmark = pytest.mark.django_db

OBJECT_KINDS = ("interaction", "message", "contact")


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def refused(response) -> bool:
    """403/401/404, or a redirect to the log-in page or the agent's desk."""
    if response.status_code in {401, 403, 404}:
        return True
    if response.status_code == 302:
        location = response["Location"]
        return (
            location.startswith((reverse(settings.LOGIN_URL), reverse("agents:desk")))
            or "/login" in location
        )
    return False


def test_the_discovery_finds_the_console_and_the_webhooks(world):
    names = {e.name for e in endpoints(world)}
    assert {
        "advanced_settings:chat_channel",
        "services:list",
        "agents:user_list",
        "audit:log",
        "whatsapp:inbound",
    } <= names


def test_anonymous_visitors_reach_only_public_endpoints(world):
    client = Client()
    for endpoint in endpoints(world):
        response = client.get(endpoint.url)
        if endpoint.is_public:
            assert response.status_code < 500, endpoint
        else:
            assert refused(response), (
                f"{endpoint.url} answered {response.status_code} to an anonymous visitor"
            )
            if response.status_code == 302:
                assert reverse("login") in response["Location"]


def test_agents_cannot_open_the_console(world):
    client = signed_in(world["owner"].user)
    for endpoint in endpoints(world):
        if endpoint.is_public or endpoint.for_agents:
            continue
        response = client.get(endpoint.url)
        assert refused(response), (
            f"an agent got {response.status_code} from console page {endpoint.url}"
        )


def test_agents_open_their_own_pages(world):
    client = signed_in(world["owner"].user)
    for endpoint in endpoints(world):
        if endpoint.for_agents and not endpoint.is_public and endpoint.name != "logout":
            response = client.get(endpoint.url)
            if endpoint.is_api:
                # Which API resources agents may read is the API's own matrix (tests/api);
                # here: a signed-in agent is never treated as anonymous and never crashes it.
                assert response.status_code in {200, 204, 403, 404, 405}, (
                    f"{endpoint.url}: {response.status_code}"
                )
            else:
                assert response.status_code < 400 or response.status_code == 405, (
                    f"{endpoint.url}: {response.status_code}"
                )


def test_administrators_open_every_page(world):
    client = signed_in(world["admin"])
    for endpoint in endpoints(world):
        if endpoint.is_public or endpoint.name == "logout":
            continue
        response = client.get(endpoint.url)
        # 404: an id of a kind the world lacks, or the caller's own agent profile ("me"),
        # which this administrator does not have.
        allowed = {200, 302, 405} | ({404} if endpoint.guessed or "/me/" in endpoint.url else set())
        assert response.status_code in allowed, f"{endpoint.url}: {response.status_code}"


def test_another_agent_cannot_open_an_agents_interaction(world):
    per_object = [
        e
        for e in endpoints(world)
        if not e.is_public and any(k in kw for kw in e.object_kwargs for k in OBJECT_KINDS)
    ]
    if not per_object:
        pytest.skip("no per-interaction pages or endpoints in this URLconf yet")
    owner, other = signed_in(world["owner"].user), signed_in(world["other"].user)
    for endpoint in per_object:
        assert not refused(owner.get(endpoint.url)) or not endpoint.for_agents, (
            f"the owner cannot open {endpoint.url}"
        )
        response = other.get(endpoint.url)
        assert response.status_code in {302, 401, 403, 404}, (
            f"another agent got {response.status_code} from {endpoint.url}"
        )


def test_every_form_and_endpoint_enforces_csrf(world):
    """A POST with the session cookie but without the CSRF token is refused everywhere.

    Only the listed callers that are not browsers (Twilio's webhooks) skip the check.
    """
    admin = signed_in(world["admin"], enforce_csrf_checks=True)
    anonymous = Client(enforce_csrf_checks=True)
    for endpoint in endpoints(world):
        exempt = getattr(endpoint.callback, "csrf_exempt", False)
        if endpoint.csrf_exempt_allowed:
            continue
        if exempt and not endpoint.is_api:
            pytest.fail(
                f"{endpoint.url} skips CSRF checks: add it to CSRF_EXEMPT only if no browser session reaches it"
            )
        client = anonymous if endpoint.is_public else admin
        response = client.post(
            endpoint.url, {"name": "x", "username": "ada", "password": "admin-pass-123"}
        )
        # The API may already be rate limiting these refused requests (429): refused all the same.
        refused_codes = {403, 429} if endpoint.is_api else {403}
        assert response.status_code in refused_codes, (
            f"POST {endpoint.url} without a CSRF token answered {response.status_code}"
        )


def test_a_real_form_post_with_the_token_passes_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": "ada", "password": "admin-pass-123", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
