"""Canned responses through the REST API: same rules as the pages; filled for a conversation."""

from __future__ import annotations

import pytest

from agents.models import CannedResponse
from services.models import Service
from tests.api.conftest import errors_of, token_client

pytestmark = pytest.mark.django_db

URL = "/api/v1/canned-responses/"


@pytest.fixture
def agent_api(agent):
    return token_client(agent.user)


@pytest.fixture
def supervisor_api(supervisor):
    return token_client(supervisor)


def test_a_supervisor_creates_a_shared_one_and_an_agent_only_personal_ones(
    supervisor_api, agent_api, agent, service
):
    answer = supervisor_api.post(
        URL,
        {
            "shortcut": "hello",
            "body": "Hi {{contact.name}}",
            "shared": True,
            "services": [service.pk],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["shared"] is True and answer.json()["services"] == [service.pk]
    refused = agent_api.post(URL, {"shortcut": "x", "body": "x", "shared": True}, format="json")
    assert refused.status_code == 403
    mine = agent_api.post(URL, {"shortcut": "mine", "body": "Mine"}, format="json")
    assert mine.status_code == 201 and mine.json()["shared"] is False
    assert CannedResponse.objects.get(shortcut="mine").owner == agent.user
    shared_id = answer.json()["id"]
    assert (
        agent_api.patch(f"{URL}{shared_id}/", {"body": "changed"}, format="json").status_code == 403
    )
    assert agent_api.delete(f"{URL}{shared_id}/").status_code == 403


def test_unknown_placeholders_are_refused_field_by_field(agent_api):
    errors = errors_of(agent_api.post(URL, {"shortcut": "x", "body": "{{foo.bar}}"}, format="json"))
    assert "Unknown placeholder: {{foo.bar}}" in errors["body"][0]


def test_the_list_is_what_the_composer_offers_with_the_placeholders_filled(
    agent_api, agent, make_agent, service, inbound
):
    other_service = Service.objects.create(name="Sales", chat_enabled=True)
    everywhere = CannedResponse.objects.create(
        shortcut="hello", body="Hi {{contact.name}}, {{service.name}}"
    )
    here = CannedResponse.objects.create(shortcut="care", body="Care")
    here.services.set([service])
    elsewhere = CannedResponse.objects.create(shortcut="sales", body="Sales")
    elsewhere.services.set([other_service])
    CannedResponse.objects.create(shortcut="mine", body="{{agent.first_name}}", owner=agent.user)
    CannedResponse.objects.create(shortcut="hers", body="x", owner=make_agent("bea").user)
    interaction = inbound()
    assert interaction.agent_id == agent.pk
    listed = agent_api.get(URL, {"interaction": interaction.pk}).json()["results"]
    by_shortcut = {row["shortcut"]: row for row in listed}
    assert set(by_shortcut) == {"hello", "care", "mine"}
    assert by_shortcut["hello"]["text"] == "Hi Carla, Customer care"
    assert by_shortcut["mine"]["text"] == "alex"  # no first name: the username
    # Without a conversation: every shared one and the agent's own, nothing filled.
    everything = {row["shortcut"]: row for row in agent_api.get(URL).json()["results"]}
    assert set(everything) == {"hello", "care", "sales", "mine"}
    assert everything["hello"]["text"] is None
    assert everywhere.pk == by_shortcut["hello"]["id"]


def test_a_conversation_the_agent_may_not_see_is_a_404(agent_api, make_agent, inbound):
    make_agent("bea")
    inbound()  # alex
    theirs = inbound("+393330009999")  # bea: the least loaded
    assert theirs.agent.user.username == "bea"
    assert agent_api.get(URL, {"interaction": theirs.pk}).status_code == 404


def test_the_openapi_description_documents_canned_responses_and_notes(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/canned-responses/"])
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/api/v1/canned-responses/{id}/"])
    notes = schema["paths"]["/api/v1/interactions/{interaction_pk}/notes/"]
    assert {"get", "post"} <= set(notes)
    assert "never sent to the customer" in notes["post"]["description"]
