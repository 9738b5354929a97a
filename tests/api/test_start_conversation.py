"""A business-initiated conversation: an agent writes first with an approved template (REST API).

The template is synced from the fake Twilio's Content API and the message
goes to its Messages API over real HTTP (ContentSid + ContentVariables).
"""

from __future__ import annotations

import json

import pytest

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.models import Interaction, InteractionState, Message
from tests.api.conftest import errors_of
from tests.conftest import ACCOUNT_SID

pytestmark = pytest.mark.django_db

URL = "/api/v1/conversations/"
NUMBER = "+393401112233"


@pytest.fixture
def template(approved_template):
    return approved_template(
        "Hello {{1}}, your appointment is on {{2}}.", variables={"1": "name", "2": "date"}
    )


def start(api, service, template, **overrides):
    body = {
        "service": service.pk,
        "to": "+39 340 111 2233",
        "name": "Carla",
        "template_id": template,
        "template_variables": {"1": "Carla", "2": "Monday"},
        **overrides,
    }
    return api.post(URL, body, format="json")


def test_an_agent_starts_a_conversation_with_a_template(
    agent_api, agent, service, template, fake_twilio
):
    response = start(agent_api, service, template)
    assert response.status_code == 201, response.content
    data = response.json()
    interaction = Interaction.objects.get(pk=data["id"])
    assert interaction.state == InteractionState.ASSIGNED and interaction.agent_id == agent.pk
    assert interaction.contact.address == NUMBER and interaction.contact.name == "Carla"
    assert interaction.last_inbound_at is None  # no window: the customer has not written
    [sent] = fake_twilio.sent_messages()
    assert sent["to"] == f"whatsapp:{NUMBER}"
    assert sent["_content_sid"] == template and sent["body"] == ""
    assert json.loads(sent["_content_variables"]) == {"1": "Carla", "2": "Monday"}
    message = Message.objects.get(interaction=interaction)
    assert message.provider_id == sent["sid"] and message.sender == agent.user
    assert message.extras["template"]["text"] == "Hello Carla, your appointment is on Monday."
    # The agent sees it like any conversation they hold.
    assert agent_api.get(f"/api/v1/interactions/{interaction.pk}/").status_code == 200


def test_the_customers_answer_continues_the_same_conversation(
    agent_api, service, template, fake_twilio
):
    started = start(agent_api, service, template).json()
    result = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=NUMBER, provider_id="SM" + "c" * 32, body="Thanks!"
        ),
    )
    assert result.interaction.pk == started["id"] and not result.created_interaction
    assert Interaction.objects.get(pk=started["id"]).last_inbound_at is not None


def test_an_existing_contact_can_be_chosen(agent_api, service, template, fake_twilio):
    from interactions.models import Contact

    contact = Contact.objects.create(address="+393409998877", name="Dario")
    response = start(agent_api, service, template, to="", contact=contact.pk)
    assert response.status_code == 201, response.content
    assert fake_twilio.sent_messages()[0]["to"] == "whatsapp:+393409998877"


def test_refusals_send_nothing(
    agent_api, admin_api, make_agent, service, template, fake_twilio, approved_template
):
    pending = fake_twilio.add_content(
        ACCOUNT_SID, "Later", {"twilio/text": {"body": "x"}}, status="pending"
    )
    from whatsapp.content_templates import sync_templates

    sync_templates()
    assert "template_id" in errors_of(start(agent_api, service, pending.sid))
    assert "detail" in errors_of(
        start(agent_api, service, template, template_variables={"1": "Carla"})
    )
    assert "to" in errors_of(start(agent_api, service, template, to="333 12"))
    # An administrator without an agent profile is not an agent of the service.
    assert "detail" in errors_of(start(admin_api, service, template))
    assert fake_twilio.sent_messages() == []
    assert not Interaction.objects.exists()


def test_a_second_start_while_the_first_is_open_is_refused(
    agent_api, service, template, fake_twilio
):
    assert start(agent_api, service, template).status_code == 201
    again = start(agent_api, service, template)
    assert again.status_code == 400 and "already has an open conversation" in json.dumps(
        again.json()
    )
    assert len(fake_twilio.sent_messages()) == 1


def test_the_templates_endpoint_lists_only_approved_ones(agent_api, template, fake_twilio):
    from whatsapp.content_templates import sync_templates

    fake_twilio.add_content(
        ACCOUNT_SID, "Rejected", {"twilio/text": {"body": "x"}}, status="rejected"
    )
    sync_templates()
    listed = agent_api.get("/api/v1/templates/").json()
    assert [t["sid"] for t in listed] == [template]
    assert listed[0]["variables"] == ["1", "2"] and listed[0]["examples"] == {
        "1": "name",
        "2": "date",
    }


def test_the_endpoints_are_in_the_openapi_description(admin_api):
    paths = admin_api.get("/api/schema/?format=json").json()["paths"]
    assert "post" in paths["/api/v1/conversations/"]
    assert "get" in paths["/api/v1/templates/"]
