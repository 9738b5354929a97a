"""Labels, close reasons, closing with a reason, transfer with a note, and the filters, in the API
and in the outbound webhooks."""

from __future__ import annotations

import json

import pytest

from hooks.actions import create_endpoint
from hooks.models import Event
from interactions.models import CloseReason, Interaction, Label
from services.models import Service
from tests.api.conftest import errors_of

URL = "/api/v1/interactions/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def refund(db):
    return Label.objects.create(name="Refund", colour="#c62828")


@pytest.fixture
def resolved(db):
    return CloseReason.objects.create(name="Resolved", position=10)


@pytest.fixture
def webhook_events(db):
    create_endpoint(url="http://127.0.0.1:9/hook")

    def events(kind: str) -> list[dict]:
        return [json.loads(e.body)["data"] for e in Event.objects.filter(type=kind)]

    return events


class TestLabelsAndCloseReasons:
    def test_agents_read_and_administrators_write(self, agent_api, admin_api, refund):
        listed = agent_api.get("/api/v1/labels/").json()["results"]
        assert listed == [
            {
                "id": refund.pk,
                "name": "Refund",
                "colour": "#c62828",
                "text_colour": "#ffffff",
                "created_at": listed[0]["created_at"],
            }
        ]
        refused = agent_api.post("/api/v1/labels/", {"name": "VIP", "colour": "#ffd54f"})
        assert refused.status_code == 403
        created = admin_api.post("/api/v1/labels/", {"name": "VIP", "colour": "#FFD54F"})
        assert created.status_code == 201 and created.json()["text_colour"] == "#000000"
        assert errors_of(admin_api.post("/api/v1/labels/", {"name": "vip", "colour": "#000000"}))[
            "name"
        ]

    def test_a_close_reason_in_use_is_deactivated_not_deleted(
        self, admin_api, agent_api, agent, inbound, resolved
    ):
        interaction = inbound()
        agent_api.post(f"{URL}{interaction.pk}/close/", {"close_reason": resolved.pk})
        assert admin_api.delete(f"/api/v1/close-reasons/{resolved.pk}/").status_code == 400
        changed = admin_api.patch(f"/api/v1/close-reasons/{resolved.pk}/", {"is_active": False})
        assert changed.status_code == 200 and changed.json()["is_active"] is False


class TestOnAConversation:
    def test_labelling_shows_in_the_api_and_as_a_webhook_event(
        self, agent_api, agent, inbound, refund, webhook_events
    ):
        interaction = inbound()
        answer = agent_api.post(f"{URL}{interaction.pk}/labels/", {"add": [refund.pk]}, "json")
        assert answer.status_code == 200
        assert answer.json()["labels"] == [{"id": refund.pk, "name": "Refund", "colour": "#c62828"}]
        [event] = webhook_events("interaction.labels_changed")
        assert event["added"] == [{"id": refund.pk, "name": "Refund", "colour": "#c62828"}]
        assert event["removed"] == [] and event["actor_id"] == agent.user.pk
        assert event["interaction"]["labels"] == event["added"]

    def test_closing_needs_the_reason_the_service_requires_and_the_webhook_carries_it(
        self, agent_api, inbound, service, resolved, webhook_events
    ):
        service.close_reason_required = True
        service.save()
        interaction = inbound()
        refused = agent_api.post(f"{URL}{interaction.pk}/close/", {"wrap_up_note": "done"})
        assert "requires a close reason" in errors_of(refused)["close_reason"][0]
        assert Interaction.objects.get(pk=interaction.pk).state == "assigned"
        closed = agent_api.post(
            f"{URL}{interaction.pk}/close/",
            {"close_reason": resolved.pk, "wrap_up_note": "Refund sent."},
        ).json()
        assert closed["state"] == "closed"
        assert closed["close_reason"] == {"id": resolved.pk, "name": "Resolved"}
        assert closed["wrap_up_note"] == "Refund sent."
        [event] = webhook_events("interaction.closed")
        assert event["interaction"]["close_reason"] == {"id": resolved.pk, "name": "Resolved"}
        assert event["interaction"]["wrap_up_note"] == "Refund sent."

    def test_transfer_to_another_services_queue_with_a_note(
        self, agent_api, agent, inbound, make_agent, chat_settings
    ):
        sales = Service.objects.create(name="Sales", chat_enabled=True)
        seller = make_agent("seller", services=[sales])
        interaction = inbound()
        answer = agent_api.post(
            f"{URL}{interaction.pk}/transfer/",
            {"service": sales.pk, "note": "wants a quote"},
            "json",
        ).json()
        assert answer["service"]["id"] == sales.pk and answer["agent"]["id"] == seller.pk
        assert answer["handover"]["note"] == "wants a quote"
        assert answer["handover"]["by"] == agent.user.get_username()

    def test_an_agent_and_a_service_at_once_are_refused(
        self, agent_api, inbound, other_agent, chat_settings
    ):
        sales = Service.objects.create(name="Sales")
        interaction = inbound()
        refused = agent_api.post(
            f"{URL}{interaction.pk}/transfer/",
            {"service": sales.pk, "agent": other_agent.pk},
            "json",
        )
        assert errors_of(refused)["non_field_errors"]


def test_the_list_filters_by_label_and_close_reason(admin_api, agent, inbound, refund, resolved):
    from interactions.actions.lifecycle import close_interaction

    labelled = inbound("+393330000001")
    closed = inbound("+393330000002")
    inbound("+393330000003")
    labelled.labels.add(refund)
    close_interaction(closed.pk, close_reason_id=resolved.pk)

    def ids(query):
        return [row["id"] for row in admin_api.get(URL + query).json()["results"]]

    assert ids(f"?label={refund.pk}") == [labelled.pk]
    assert ids(f"?close_reason={resolved.pk}") == [closed.pk]
    assert admin_api.get(URL + "?label=99999999999999999999").status_code == 400
