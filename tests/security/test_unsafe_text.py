"""Text no database or header can hold (lone surrogates, control characters, CR/LF): a 400 naming the field.

Each case below was a 500 (or a dropped connection) before occ.lib.text: the
API's JSON can carry "\\ud800", which no driver can encode; PostgreSQL
refuses NUL; a header value cannot carry CR/LF or other control characters.
"""

from __future__ import annotations

import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hooks.models import Endpoint
from interactions.models import Message
from services.models import Service
from widgets.models import Widget

pytestmark = pytest.mark.django_db

SURROGATE = "\ud800"
BAD = [SURROGATE, "\udfff", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f"]


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    return client


def send(client, method: str, path: str, data) -> object:
    """JSON as a client writes it: json.dumps escapes a lone surrogate as \\ud800, as any JSON encoder may."""
    return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")


def field_errors(response) -> dict:
    assert response.status_code == 400, (response.status_code, response.content[:300])
    return response.json()["errors"]


# --- the REST API -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD)
def test_an_unsafe_character_in_a_service_name_is_a_400_on_name(api, chat_settings, bad):
    errors = field_errors(
        send(api, "post", "/api/v1/services/", {"name": f"Care{bad}", "chat_enabled": True})
    )
    assert list(errors) == ["name"]
    assert "U+" in errors["name"][0]
    assert not Service.objects.exists()


def test_a_line_break_in_a_service_name_is_a_400(api, chat_settings):
    errors = field_errors(send(api, "post", "/api/v1/services/", {"name": "Care\nteam"}))
    assert "one line" in errors["name"][0]


def test_a_lone_surrogate_as_a_template_variable_key_is_a_400_and_sends_nothing(
    api, service, agent, fake_twilio
):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393330000001", provider_id="SM" + "a" * 32, body="Hi"
        ),
    ).interaction
    before = Message.objects.count()
    response = send(
        api,
        "post",
        f"/api/v1/interactions/{interaction.pk}/messages/",
        {"template_id": "HX" + "0" * 32, "template_variables": {SURROGATE: "x"}},
    )
    assert "template_variables" in field_errors(response)
    response = send(
        api, "post", f"/api/v1/interactions/{interaction.pk}/messages/", {"body": f"hi {SURROGATE}"}
    )
    assert "body" in field_errors(response)
    assert Message.objects.count() == before and fake_twilio.sent_messages() == []


def test_a_message_body_keeps_its_line_breaks_and_tabs(api, service, agent, fake_twilio):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393330000001", provider_id="SM" + "b" * 32, body="Hi"
        ),
    ).interaction
    response = send(
        api,
        "post",
        f"/api/v1/interactions/{interaction.pk}/messages/",
        {"body": "one\n\ttwo\r\nthree"},
    )
    assert response.status_code == 201
    assert Message.objects.get(pk=response.json()["id"]).body == "one\n\ttwo\r\nthree"


@pytest.mark.parametrize(
    "path, data, field",
    [
        ("/api/v1/widgets/", {"name": f"W{SURROGATE}"}, "name"),
        (
            "/api/v1/widgets/",
            {"name": "W", "allowed_origins": ["https://a\x01b.example"]},
            "allowed_origins",
        ),
        (
            "/api/v1/webhooks/",
            {"url": "https://crm.example/x", "description": f"d{SURROGATE}"},
            "description",
        ),
        (
            "/api/v1/contacts/",
            {"channel": "whatsapp", "address": "+393330000009", "name": f"C{SURROGATE}"},
            "name",
        ),
        (
            "/api/v1/contacts/",
            {"channel": "whatsapp", "address": "+393330000009", "name": "Carla\nRossi"},
            "name",
        ),
        (
            "/api/v1/agents/",
            {"username": f"u{SURROGATE}", "password": "a-long-pass-123"},
            "username",
        ),
        (
            "/api/v1/agents/",
            {"username": "newbie", "password": f"a-long-pass-{SURROGATE}"},
            "password",
        ),
        (
            "/api/v1/settings/chat-channel/verify/",
            {"account_sid": f"AC{SURROGATE}", "auth_token": "x"},
            "account_sid",
        ),
    ],
)
def test_unsafe_text_anywhere_in_the_api_is_a_400_on_its_field(
    api, chat_settings, path, data, field
):
    counts = (Widget.objects.count(), Endpoint.objects.count())
    assert field in field_errors(send(api, "post", path, data))
    assert (Widget.objects.count(), Endpoint.objects.count()) == counts


def test_a_settings_patch_with_a_control_character_is_a_400(api, chat_settings):
    assert "auth_token" in field_errors(
        send(api, "patch", "/api/v1/settings/chat-channel/", {"auth_token": "to\x00ken"})
    )


# --- format suffixes ----------------------------------------------------------------------------


def _api_routes():
    """Every route under /api/v1/, as a path with 1 for each argument."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    import re

    for route in walk(get_resolver().url_patterns, "/"):
        if route.startswith("/api/v1/"):
            path = (
                re.sub(r"<[^>]+>|\(\?P<\w+>[^)]*\)", "1", route)
                .replace("\\.", ".")
                .replace("/?", "/")
            )
            yield path


def test_no_route_of_the_api_takes_a_format_suffix():
    """drf-spectacular's /api/schema/ leaves format suffixes out: they are not routed either."""
    routes = list(_api_routes())
    assert "/api/v1/interactions/1/close/" in routes
    assert [route for route in routes if "format" in route or ".json" in route] == []


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_every_api_route_with_or_without_a_json_suffix_gives_no_server_error(
    api, service, agent, method
):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393330000001", provider_id="SM" + "c" * 32, body="Hi"
        ),
    )
    for path in sorted(set(_api_routes())):
        for url in (
            path,
            path.rstrip("/") + ".json",
            path.rstrip("/") + ".json/",
            path + "?format=json",
        ):
            response = getattr(api, method)(url, {}, format="json")
            assert response.status_code < 500, (method, url, response.status_code)
            if ".json" in url:
                assert response.status_code == 404, (method, url, response.status_code)


def test_close_transfer_and_assign_with_a_json_suffix_are_a_404_not_a_500(api, service, agent):
    from interactions.actions.inbound import InboundMessage, receive_inbound

    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393330000001", provider_id="SM" + "d" * 32, body="Hi"
        ),
    ).interaction
    for name in ("close", "transfer", "assign"):
        response = send(
            api, "post", f"/api/v1/interactions/{interaction.pk}/{name}.json", {"agent": agent.pk}
        )
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    interaction.refresh_from_db()
    assert interaction.state == "assigned"


# --- console forms ------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x01", "\x7f", "\x85", "\n", "\t"])
def test_a_console_form_refuses_a_control_character_next_to_its_field(
    admin_client, chat_settings, bad
):
    response = admin_client.post("/services/new/", {"name": f"Care{bad}x", "chat_enabled": "on"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not Service.objects.exists()


def test_a_multi_line_console_field_keeps_line_breaks_but_refuses_other_controls(chat_settings):
    from widgets.forms import WidgetForm

    form = WidgetForm(
        data={"name": "W", "allowed_origins": "https://a.example\r\nhttps://b.example\n"}
    )
    assert form.is_valid(), form.errors
    form = WidgetForm(
        data={"name": "W", "allowed_origins": "https://a.example\n\x0bhttps://b.example"}
    )
    assert not form.is_valid() and list(form.errors) == ["allowed_origins"]


def test_the_api_token_page_refuses_a_malformed_user_with_a_400(admin_client):
    for value in ("abc", "\x00", "1e9", ""):
        response = admin_client.post("/settings/api-tokens/create/", {"user": value})
        assert response.status_code == 400, value
    assert not Token.objects.exists()


# --- the widget's public endpoints and the sandbox phone ------------------------------------------


def test_a_preflight_never_echoes_an_origin_it_did_not_parse(client, world):
    widget = world["widget"]
    response = client.options(
        f"/widget/{widget.public_key}/config.json", HTTP_ORIGIN="https://shop.example\x01"
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] in ("*", "https://shop.example")


def test_the_sandbox_phone_refuses_unsafe_text_with_a_400(admin_client, service, settings):
    settings.OCC_SANDBOX = True
    response = admin_client.post(
        "/sandbox/phone/send/",
        {"service": "+390212345678", "customer": "+393330000001", "body": "hi\x01", "name": "x"},
    )
    assert response.status_code == 400 and "body" in response.json()["errors"]
    response = admin_client.post(
        "/sandbox/phone/send/",
        {"service": "+390212345678", "customer": "+393330000001", "body": "hi", "name": "a\nb"},
    )
    assert response.status_code == 400 and "name" in response.json()["errors"]
    assert not Message.objects.exists()
