"""Who may open what: anonymous, agent, another agent, supervisor, administrator, over every URL.

The URLs are discovered from the URLconf (tests/security/urlconf.py) and the
API's operations from its OpenAPI description, so a page or an endpoint
added later is checked without touching this file: a page is treated as an
administrators' console page unless listed as public, for agents or for
supervisors; an API operation as administrators' only unless listed in
API_MIN_ROLE below.
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
        # /desk/canned/<id>/: the agent's own canned response, nobody else's (not even an administrator's).
        own = "/me/" in endpoint.url or "/desk/canned/" in endpoint.url
        allowed = {200, 302, 405} | ({404} if endpoint.guessed or own else set())
        assert response.status_code in allowed, f"{endpoint.url}: {response.status_code}"


def test_supervisors_open_monitoring_but_no_administrators_page(world):
    """Supervisors: the desk, monitoring, transcripts, reports, canned responses and labels;
    never settings, services, users, API tokens, webhooks or the audit log."""
    client = signed_in(world["supervisor"])
    opened = set()
    for endpoint in endpoints(world):
        if endpoint.is_public or endpoint.name == "logout":
            continue
        response = client.get(endpoint.url)
        if endpoint.for_supervisors:
            if endpoint.is_api:
                continue  # the API's own matrix: test_the_api_matrix_for_three_roles
            # 404: an object kind the world lacks; the desk of a supervisor without a profile is a page all the same.
            own = "/desk/canned/" in endpoint.url  # an agent's own canned response
            allowed = {200, 302, 405} | ({404} if endpoint.guessed or own else set())
            assert response.status_code in allowed, f"{endpoint.url}: {response.status_code}"
            opened.add(endpoint.name)
        else:
            assert refused(response), (
                f"a supervisor got {response.status_code} from administrators' page {endpoint.url}"
            )
    assert "agents:supervisor" in opened


def test_the_administrators_pages_are_refused_to_supervisors_by_name(world):
    """The matrix above, on the pages the role was made for: nothing is listed for supervisors by mistake."""
    client = signed_in(world["supervisor"])
    for name in (
        "advanced_settings:chat_channel",
        "agents:user_list",
        "api_console:tokens",
        "hooks:list",
        "services:list",
        "audit:log",
        "accounts:security_settings",
    ):
        assert client.get(reverse(name)).status_code == 403, name


# --- the API, from its OpenAPI description -----------------------------------------------------

ROLES = ("agent", "supervisor", "administrator")
# The least role an operation needs, by (method, path) of the description. Anything not
# listed is the administrators'. Object-level rules (an agent's own interactions) are
# tests/api's; here an operation either refuses a role outright (403) or lets it through.
API_MIN_ROLE = {
    ("get", "/api/v1/contacts/"): "agent",
    ("get", "/api/v1/contacts/{id}/"): "agent",
    ("get", "/api/v1/interactions/"): "agent",
    ("get", "/api/v1/interactions/{id}/"): "agent",
    ("get", "/api/v1/interactions/{interaction_pk}/messages/"): "agent",
    ("post", "/api/v1/interactions/{interaction_pk}/messages/"): "agent",
    ("get", "/api/v1/interactions/{interaction_pk}/messages/{message_pk}/"): "agent",
    ("post", "/api/v1/interactions/{id}/close/"): "agent",
    ("post", "/api/v1/interactions/{id}/transfer/"): "agent",
    ("post", "/api/v1/interactions/{id}/assign/"): "supervisor",
    ("get", "/api/v1/me/"): "agent",
    ("post", "/api/v1/me/presence/"): "agent",
    ("get", "/api/v1/services/"): "agent",
    ("get", "/api/v1/services/{id}/"): "agent",
    # A service's business hours are read like the service; written by administrators.
    ("get", "/api/v1/services/{id}/hours/"): "agent",
    # Notes, labels on a conversation, a business-initiated conversation, templates, search:
    # the desk's own work (what each may see: the one visibility rule).
    ("get", "/api/v1/interactions/{interaction_pk}/notes/"): "agent",
    ("post", "/api/v1/interactions/{interaction_pk}/notes/"): "agent",
    ("post", "/api/v1/interactions/{id}/labels/"): "agent",
    ("post", "/api/v1/conversations/"): "agent",
    ("get", "/api/v1/templates/"): "agent",
    ("get", "/api/v1/search/"): "agent",
    # Canned responses: everyone keeps their own; shared ones are the supervisors' (the API
    # refuses `shared: true` below that, tests/canned).
    **{(m, "/api/v1/canned-responses/"): "agent" for m in ("get", "post")},
    **{(m, "/api/v1/canned-responses/{id}/"): "agent" for m in ("get", "put", "patch", "delete")},
    # Labels and close reasons: read by everyone, managed by supervisors.
    **{(m, f"/api/v1/{r}/"): "agent" for m in ("get",) for r in ("labels", "close-reasons")},
    **{(m, f"/api/v1/{r}/{{id}}/"): "agent" for m in ("get",) for r in ("labels", "close-reasons")},
    **{(m, f"/api/v1/{r}/"): "supervisor" for m in ("post",) for r in ("labels", "close-reasons")},
    **{
        (m, f"/api/v1/{r}/{{id}}/"): "supervisor"
        for m in ("put", "patch", "delete")
        for r in ("labels", "close-reasons")
    },
    ("get", "/api/v1/reports/"): "supervisor",
}


def api_operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method in operations:
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path


def _api_url(path: str, world) -> str:
    values = {
        "id": world["interaction"].pk,
        "interaction_pk": world["interaction"].pk,
        "message_pk": world["message"].pk,
        "webhook_pk": world["webhook"].pk,
    }
    kinds = {"agents": "agent", "contacts": "contact", "services": "service"}
    kinds |= {"widgets": "widget", "webhooks": "webhook", "interactions": "interaction"}
    kinds |= {
        "canned-responses": "shared_canned",
        "labels": "label",
        "close-reasons": "close_reason",
    }
    resource = path.split("/")[3]
    if resource in kinds:
        values["id"] = world[kinds[resource]].pk
    return path.format(**values)


def test_the_api_description_is_read_by_the_matrix(world):
    operations = set(api_operations())
    assert ("post", "/api/v1/interactions/{id}/assign/") in operations
    assert set(API_MIN_ROLE) <= operations, set(API_MIN_ROLE) - operations


def test_the_api_matrix_for_three_roles(world):
    """Each operation of the description refuses (403) every role below its least role, and
    lets every role at or above it through (reads answer 200; writes are never refused for the role)."""
    from rest_framework.test import APIClient

    users = {
        "agent": world["owner"].user,
        "supervisor": world["supervisor"],
        "administrator": world["admin"],
    }
    for method, path in api_operations():
        least = API_MIN_ROLE.get((method, path), "administrator")
        url = _api_url(path, world)
        for role in ROLES:
            client = APIClient()
            client.force_authenticate(users[role])
            allowed = ROLES.index(role) >= ROLES.index(least)
            if allowed and method != "get":
                # Writes let through are the API tests' business (they change the world);
                # the one a supervisor gains is checked: refused for the body, not the role.
                if (method, path) == ("post", "/api/v1/interactions/{id}/assign/"):
                    response = client.post(url, {}, format="json")
                    assert response.status_code == 400, (role, response.status_code)
                continue
            response = getattr(client, method)(url, {}, format="json")
            if allowed:
                # 404: /me/ of a user without an agent profile is still the user's.
                assert response.status_code in {200, 404}, (role, method, url, response.status_code)
                if response.status_code == 404:
                    assert path == "/api/v1/me/" or role == "agent", (role, url)
            else:
                assert response.status_code == 403, (
                    f"{role} got {response.status_code} from {method.upper()} {url} (needs {least})"
                )


def test_a_supervisor_sees_every_interaction_and_contact_through_the_api(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world["supervisor"])
    ids = {row["id"] for row in client.get("/api/v1/interactions/").json()["results"]}
    assert {world["interaction"].pk, world["other_interaction"].pk} <= ids
    agent = APIClient()
    agent.force_authenticate(world["owner"].user)
    ids = {row["id"] for row in agent.get("/api/v1/interactions/").json()["results"]}
    assert world["other_interaction"].pk not in ids


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
