"""The OpenAPI description: served, valid, offline documentation, and a property-based run.

Schemathesis generates requests from /api/schema/ (valid and invalid ones)
and sends them to the Django application with an administrator's token,
over a database holding a configured service, agents, an interaction with
messages and a webhook. No answer may be a server error, and every answer
must match what the description says.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hooks.actions import create_endpoint
from widgets.models import Widget


def test_the_description_is_openapi_3_and_covers_every_resource(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for path in [
        "/api/v1/settings/chat-channel/",
        "/api/v1/settings/chat-channel/verify/",
        "/api/v1/services/",
        "/api/v1/agents/",
        "/api/v1/widgets/",
        "/api/v1/contacts/",
        "/api/v1/interactions/",
        "/api/v1/interactions/{id}/assign/",
        "/api/v1/interactions/{id}/transfer/",
        "/api/v1/interactions/{id}/close/",
        "/api/v1/interactions/{interaction_pk}/messages/",
        "/api/v1/webhooks/",
    ]:
        assert path in paths
    # No format-suffix routes exist (api/urls.py), and the description lists none: schemathesis covers every route.
    assert [p for p in paths if "{format}" in p or ".json" in p] == []
    settings_schema = schema["components"]["schemas"]["ChatChannelSettings"]["properties"]
    assert "auth_token" not in settings_schema  # write-only: only in the request schema
    assert (
        "auth_token"
        in schema["components"]["schemas"]["PatchedChatChannelSettingsRequest"]["properties"]
    )
    query = {p["name"] for p in schema["paths"]["/api/v1/interactions/"]["get"]["parameters"]}
    assert {
        "service",
        "agent",
        "state",
        "created_after",
        "created_before",
        "ordering",
        "page",
    } <= query


def test_the_documentation_page_loads_nothing_from_the_internet(client, db):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page.lower()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", page)
    assert external == []
    assert "cdn.jsdelivr" not in page and "unpkg" not in page
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", page)
    assert any("swagger-ui-bundle" in a for a in assets)


@pytest.fixture
def keep_test_connection():
    """Requests run inside the test's transaction: keep Django from closing its connection.

    (Django's own test client does the same; schemathesis calls the WSGI
    application directly, which fires request_started/finished.)
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, keep_test_connection, settings, admin_user, make_agent, service, fake_twilio):
    """A small configured contact centre for the generated requests to work on."""
    from interactions.actions.inbound import InboundMessage, receive_inbound

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OCC_API_AUTH_FAILURES_LIMIT = (
        10**6
    )  # generated requests send bad credentials on purpose
    make_agent("alex")
    make_agent("bea")
    for number in ("+393330000001", "+393330000002"):
        receive_inbound(
            service,
            InboundMessage(
                channel="whatsapp", address=number, provider_id=f"SM{number[1:]}", body="Hi"
            ),
        )
    Widget.objects.create(name="Website", whatsapp_service=service)
    create_endpoint(url="http://127.0.0.1:9/hook")
    return Token.objects.create(user=admin_user).key


# Loaded at collection (the description needs no database); requests go to the
# same WSGI application, inside each test's database transaction.
schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Random valid and invalid requests (the "fuzzing" phase, both generation
# modes) and the description's examples; the exhaustive "coverage" phase
# would multiply the run time for little more.
schema.config.phases.update(phases=["examples", "fuzzing"])


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_generated_requests_get_no_server_error_and_match_the_description(case, api_world):
    case.call_and_validate(
        headers={"Authorization": f"Token {api_world}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
