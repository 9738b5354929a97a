"""Fuzzing with hostile text (lone surrogates, control characters, CR/LF): console forms, the API, desk commands.

Bounded runs (`FUZZ`): random values for each console form's fields, random
JSON bodies for each API collection, random command payloads on an open
desk socket. Asserted: no 5xx, the socket answers a ping afterwards (no
consumer crash), and nothing stored holds text the database could not keep
or a one-line field a line break (nothing stored half-way).
"""

from __future__ import annotations

import itertools
import json

import pytest
from django.contrib.auth import get_user_model
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from agents.models import AgentProfile
from hooks.models import Endpoint
from interactions.models import Contact, Message
from occ.lib.text import first_unsafe
from services.models import Service
from tests.desk.helpers import ainbound, run
from tests.fuzz import BAD_CHARACTERS, form_bytes, hostile_text
from widgets.models import Widget

FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# The stored rows whose text must stay clean: (model, one-line text fields).
STORED = [
    (Service, ["name", "twilio_number"]),
    (Widget, ["name", "prefilled_text"]),
    (Endpoint, ["url", "description"]),
    (Contact, ["name", "address"]),
    (get_user_model(), ["username", "first_name", "last_name"]),
]


def assert_everything_stored_is_clean():
    for model, one_line in STORED:
        for row in model.objects.all():
            for name in one_line:
                value = getattr(row, name) or ""
                assert first_unsafe(value) is None and not any(c in value for c in "\r\n\t"), (
                    model.__name__,
                    name,
                    value,
                )
    for body in Message.objects.values_list("body", flat=True):
        assert first_unsafe(body) is None or "\x00" not in body
        body.encode("utf-8")


value = st.one_of(
    hostile_text(30),
    st.sampled_from(
        [
            "",
            "on",
            "1",
            "Care",
            "+390212345678",
            "https://shop.example",
            "AC" + "0" * 32,
            "a-long-pass-123",
        ]
    ),
    st.sampled_from(BAD_CHARACTERS).map(lambda c: f"Care{c}team"),
    st.sampled_from(["Care\ud800", "\udfff", "a\ud83db"]),  # lone surrogates: JSON's "\ud800"
)


# --- console forms ------------------------------------------------------------------------------

CONSOLE_FORMS = {
    "/services/new/": [
        "name",
        "is_active",
        "chat_enabled",
        "whatsapp_enabled",
        "twilio_number",
        "queue_position_reply",
    ],
    "/settings/widgets/new/": [
        "name",
        "in_use",
        "allowed_origins",
        "whatsapp_service",
        "prefilled_text",
        "attribution_enabled",
    ],
    "/settings/webhooks/": ["url", "description", "event_types", "is_active"],
    "/users/new/": ["username", "first_name", "last_name", "password1", "password2"],
    "/settings/advanced/chat-channel/": [
        "whatsapp_enabled",
        "account_sid",
        "auth_token",
        "clear_auth_token",
        "action",
    ],
    "/settings/api-tokens/create/": ["user"],
    "USER_EDIT": [
        "first_name",
        "last_name",
        "is_active",
        "new_password",
        "chat_enabled",
        "whatsapp_enabled",
        "max_interactions",
        "services",
    ],
}


@pytest.mark.django_db
@FUZZ
@given(page=st.sampled_from(sorted(CONSOLE_FORMS)), data=st.data())
def test_console_forms_take_any_text_without_a_server_error(
    admin_client, service, agent, fake_twilio, page, data
):
    fields = CONSOLE_FORMS[page]
    form = data.draw(st.fixed_dictionaries({}, optional={name: value for name in fields}))
    url = f"/users/{agent.user.pk}/" if page == "USER_EDIT" else page
    response = admin_client.post(
        url, data=form_bytes(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code < 500, (url, form, response.status_code)
    assert_everything_stored_is_clean()


# --- the REST API -------------------------------------------------------------------------------

json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), value),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text(8), inner, max_size=3)
    ),
    max_leaves=6,
)
API_FIELDS = {
    "/api/v1/services/": ["name", "chat_enabled", "whatsapp_enabled", "twilio_number"],
    "/api/v1/widgets/": ["name", "allowed_origins", "prefilled_text", "in_use"],
    "/api/v1/webhooks/": ["url", "description", "event_types"],
    "/api/v1/contacts/": ["channel", "address", "name"],
    "/api/v1/agents/": ["username", "first_name", "password", "services"],
    "/api/v1/settings/chat-channel/verify/": ["account_sid", "auth_token"],
    "/api/v1/me/presence/": ["presence"],
    "MESSAGES": ["body", "template_id", "template_variables"],
}


@pytest.mark.django_db
@FUZZ
@given(path=st.sampled_from(sorted(API_FIELDS)), data=st.data())
def test_api_bodies_with_any_text_get_no_server_error(
    admin_user, service, agent, fake_twilio, path, data
):
    body = data.draw(
        st.fixed_dictionaries({}, optional={name: json_value for name in API_FIELDS[path]})
    )
    body.update(data.draw(st.dictionaries(hostile_text(8), json_value, max_size=2)))
    interaction = (
        Message.objects.filter(direction="in").values_list("interaction_id", flat=True).first()
    )
    if path == "MESSAGES":
        if interaction is None:
            from tests.desk.helpers import inbound

            interaction = inbound(service, provider_id="SM" + "f" * 32).interaction.pk
        path = f"/api/v1/interactions/{interaction}/messages/"
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=admin_user)[0].key}"
    )
    method = "patch" if path.endswith("chat-channel/") else "post"
    response = getattr(api, method)(path, data=json.dumps(body), content_type="application/json")
    assert response.status_code < 500, (path, body, response.status_code)
    assert_everything_stored_is_clean()


# --- desk commands ------------------------------------------------------------------------------

_sids = itertools.count(1)


class RawFrame:
    """A text frame sent as it is, JSON or not."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self):
        return f"RawFrame({self.text!r})"


command = st.fixed_dictionaries(
    {
        "type": st.one_of(
            st.sampled_from(
                [
                    "ping",
                    "sync",
                    "presence",
                    "open",
                    "reply",
                    "close",
                    "transfer",
                    "transfer_targets",
                    "supervisor",
                ]
            ),
            hostile_text(10),
        )
    },
    optional={
        "interaction_id": st.one_of(st.just("INTERACTION"), json_value),
        "body": st.one_of(value, json_value),
        "presence": st.one_of(st.sampled_from(["online", "away", "offline"]), value),
        "template_id": st.one_of(st.just("HX" + "0" * 32), value),
        "template_variables": json_value,
        "attachments": json_value,
        "to_agent_id": json_value,
        "request_id": json_value,
        "client_id": json_value,
    },
)


@pytest.mark.django_db(transaction=True)
@FUZZ
@given(
    commands=st.lists(
        st.one_of(command, json_value, hostile_text(20, min_size=1).map(RawFrame)),
        min_size=1,
        max_size=4,
    )
)
def test_random_desk_commands_never_crash_the_socket(
    tab, settings, agent, service, fake_twilio, commands
):
    settings.OCC_PRESENCE_GRACE_SECONDS = 0

    async def scenario():
        interaction = (await ainbound(service, provider_id=f"SM{next(_sids):032x}")).interaction
        desk = tab(agent.user)
        await desk.open()
        for item in commands:
            if isinstance(item, dict) and item.get("interaction_id") == "INTERACTION":
                item = {**item, "interaction_id": interaction.pk}
            # As a browser sends it: JSON text, a lone surrogate escaped as \ud800 (or any text at all).
            text = item.text if isinstance(item, RawFrame) else json.dumps(item)
            await desk.communicator.send_to(text_data=text)
        # Still open and answering: no command crashed the consumer.
        await desk.send({"type": "ping", "request_id": "last"})
        pong = await desk.receive_until("pong", request_id="last")
        await desk.close()
        return pong

    assert run(scenario)["request_id"] == "last"
    assert_everything_stored_is_clean()
    assert AgentProfile.objects.get(pk=agent.pk).presence in {"online", "away", "offline"}


@pytest.fixture
def tab():
    from tests.desk.helpers import Tab

    return Tab
