"""Interactions and messages: the permission matrix, filters, assign/transfer/close, replies."""

from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from agents.models import Presence
from interactions.models import Interaction, InteractionState, Message
from tests.api.conftest import errors_of

URL = "/api/v1/interactions/"


def messages_url(interaction) -> str:
    return f"{URL}{interaction.pk}/messages/"


def test_permission_matrix_for_reading_conversations(
    anon, agent_api, other_agent_api, admin_api, agent, other_agent, inbound
):
    mine = inbound("+393330000001")
    theirs = inbound("+393330000002")
    assert (mine.agent_id, theirs.agent_id) == (agent.pk, other_agent.pk)

    assert anon.get(URL).status_code == 401
    assert anon.get(f"{URL}{mine.pk}/").status_code == 401
    assert anon.get(messages_url(mine)).status_code == 401

    assert [i["id"] for i in agent_api.get(URL).json()["results"]] == [mine.pk]
    assert agent_api.get(f"{URL}{mine.pk}/").status_code == 200
    assert agent_api.get(messages_url(mine)).json()["results"][0]["body"] == "Hello"
    # Another agent's conversation does not exist for this token.
    assert agent_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert agent_api.get(messages_url(theirs)).status_code == 404
    assert agent_api.post(messages_url(theirs), {"body": "hi"}, format="json").status_code == 404
    assert agent_api.post(f"{URL}{theirs.pk}/close/").status_code == 404
    assert other_agent_api.get(f"{URL}{mine.pk}/").status_code == 404

    assert {i["id"] for i in admin_api.get(URL).json()["results"]} == {mine.pk, theirs.pk}
    assert admin_api.get(messages_url(theirs)).status_code == 200


def test_filters_by_service_agent_state_and_date(admin_api, agent, inbound, service):
    first = inbound("+393330000001")
    second = inbound("+393330000002")
    Interaction.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=3))
    admin_api.post(f"{URL}{second.pk}/close/")

    def ids(query):
        response = admin_api.get(URL + query)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["results"]]

    assert ids("?state=closed") == [second.pk]
    assert ids(f"?agent={agent.pk}&ordering=id") == [first.pk, second.pk]
    assert ids(f"?service={service.pk}&state=assigned") == [first.pk]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert ids("?created_after=" + since.replace("+", "%2B")) == [second.pk]
    assert ids("?created_before=" + since.replace("+", "%2B")) == [first.pk]
    assert ids("?ordering=-created_at") == [second.pk, first.pk]
    assert "state" in errors_of(admin_api.get(URL + "?state=lost"))
    assert "created_after" in errors_of(admin_api.get(URL + "?created_after=yesterday"))


def test_the_agent_closes_their_interaction_and_the_queue_moves(
    agent_api, agent, make_agent, inbound
):
    agent.max_interactions = 1
    agent.save()
    held = inbound("+393330000001")
    waiting = inbound("+393330000002")
    assert waiting.state == InteractionState.QUEUED
    response = agent_api.post(f"{URL}{held.pk}/close/")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    waiting.refresh_from_db()
    assert waiting.agent_id == agent.pk


def test_transfer_to_a_colleague_and_the_agent_keeps_only_a_view_of_it(
    agent_api, other_agent_api, agent, other_agent, inbound
):
    other_agent.max_interactions = 1
    other_agent.save()
    interaction = inbound("+393330000001")
    assert interaction.agent_id == agent.pk
    response = agent_api.post(
        f"{URL}{interaction.pk}/transfer/", {"agent": other_agent.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["agent"]["id"] == other_agent.pk
    # They handled it: they still see it (the visibility rule), but act on it no more.
    assert agent_api.get(f"{URL}{interaction.pk}/").status_code == 200
    assert agent_api.post(f"{URL}{interaction.pk}/close/").status_code == 404
    assert other_agent_api.get(f"{URL}{interaction.pk}/").status_code == 200
    # The colleague is now full: a transfer back to them is refused, never past Max interactions.
    second = inbound("+393330000002")
    assert second.agent_id == agent.pk
    errors = errors_of(
        agent_api.post(f"{URL}{second.pk}/transfer/", {"agent": other_agent.pk}, format="json")
    )
    assert "Max interactions" in errors["agent"][0]
    assert "agent" in errors_of(
        agent_api.post(f"{URL}{second.pk}/transfer/", {"agent": 999999}, format="json")
    )


def test_transfer_back_to_the_queue(agent_api, agent, inbound):
    interaction = inbound()
    assert interaction.agent_id == agent.pk
    agent_api.post("/api/v1/me/presence/", {"presence": "away"}, format="json")
    response = agent_api.post(f"{URL}{interaction.pk}/transfer/", {"agent": None}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "queued" and response.json()["agent"] is None
    # Handled by the agent: still in view, no longer theirs to act on.
    assert agent_api.get(f"{URL}{interaction.pk}/").status_code == 200
    assert agent_api.post(f"{URL}{interaction.pk}/close/").status_code == 404


def test_only_administrators_assign(agent_api, admin_api, agent, make_agent, inbound):
    agent.presence = Presence.AWAY
    agent.save()
    waiting = inbound()
    assert waiting.state == InteractionState.QUEUED  # nobody online
    late = make_agent("late", presence=Presence.ONLINE, max_interactions=1)
    waiting.refresh_from_db()
    assert waiting.state == InteractionState.QUEUED  # agents made directly do not drain the queue
    assert (
        agent_api.post(f"{URL}{waiting.pk}/assign/", {"agent": late.pk}, format="json").status_code
        == 403
    )
    response = admin_api.post(f"{URL}{waiting.pk}/assign/", {"agent": late.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "assigned" and response.json()["agent"]["id"] == late.pk
    assert "agent" in errors_of(admin_api.post(f"{URL}{waiting.pk}/assign/", {}, format="json"))


def test_a_reply_goes_through_the_desks_path_to_twilio(agent_api, agent, inbound, fake_twilio):
    interaction = inbound()
    response = agent_api.post(messages_url(interaction), {"body": "Good morning!"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["direction"] == "out"
        and body["status"] == "queued"
        and body["sender"] == agent.user_id
    )
    sent = fake_twilio.sent_messages()
    assert [m["body"] for m in sent] == ["Good morning!"]
    assert sent[0]["to"] == f"whatsapp:{interaction.contact.address}"
    assert Message.objects.get(pk=body["id"]).provider_id == sent[0]["sid"]
    listed = agent_api.get(messages_url(interaction)).json()["results"]
    assert [m["direction"] for m in listed] == ["in", "out"]
    assert (
        agent_api.get(f"{messages_url(interaction)}{body['id']}/").json()["body"] == "Good morning!"
    )


def test_reply_validation_is_field_level(agent_api, inbound, fake_twilio):
    interaction = inbound()
    assert list(
        errors_of(agent_api.post(messages_url(interaction), {"body": "  "}, format="json"))
    ) == ["body"]
    assert "template_id" in errors_of(
        agent_api.post(messages_url(interaction), {"template_id": "nope"}, format="json")
    )
    Interaction.objects.filter(pk=interaction.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=25)
    )
    errors = errors_of(agent_api.post(messages_url(interaction), {"body": "late"}, format="json"))
    assert "24 hours" in errors["non_field_errors"][0]
    assert fake_twilio.sent_messages() == []


def test_date_filters_accept_any_offset_and_refuse_dates_out_of_range(admin_api, inbound):
    inbound()
    # Offsets past PostgreSQL's ±15:59 are compared in UTC rather than sent as they are.
    assert admin_api.get(URL + "?created_after=0579-06-25T07:04:42%2B16:15").json()["count"] == 1
    assert admin_api.get(URL + "?created_before=9999-12-31T23:00:00-20:00").status_code == 400
    assert "created_after" in errors_of(
        admin_api.get(URL + "?created_after=0001-01-01T00:00:00%2B01:00")
    )


def test_id_filters_refuse_what_is_not_an_id(admin_api, db):
    assert "contact" in errors_of(admin_api.get(URL + "?contact=-2.1e302"))
    assert "service" in errors_of(admin_api.get(URL + "?service=99999999999999999999"))


def test_outside_the_window_an_approved_template_is_sent(
    agent_api, inbound, fake_twilio, approved_template
):
    sid = approved_template("Hello {{1}}")
    interaction = inbound()
    Interaction.objects.filter(pk=interaction.pk).update(
        last_inbound_at=timezone.now() - timedelta(hours=30)
    )
    unknown = "HX" + "f" * 32
    assert "template_id" in errors_of(
        agent_api.post(messages_url(interaction), {"template_id": unknown}, format="json")
    )
    response = agent_api.post(
        messages_url(interaction),
        {"template_id": sid, "template_variables": {"1": "Carla"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    sent = fake_twilio.sent_messages()
    assert [m["_content_sid"] for m in sent] == [sid]
    assert json.loads(sent[0]["_content_variables"]) == {"1": "Carla"}
