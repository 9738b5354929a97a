"""Widgets (origins, WhatsApp service, embed snippet) and contacts through the API."""

from __future__ import annotations

from interactions.models import Contact
from services.models import Service
from tests.api.conftest import errors_of
from tests.conftest import CUSTOMER_NUMBER
from widgets.models import Widget

WIDGETS = "/api/v1/widgets/"
CONTACTS = "/api/v1/contacts/"


def test_administrator_creates_a_widget_mapped_to_a_whatsapp_service(admin_api, service):
    response = admin_api.post(
        WIDGETS,
        {
            "name": "Website",
            "allowed_origins": ["https://www.example.com/", "http://localhost:8080"],
            "whatsapp_service": service.pk,
            "prefilled_text": "Hi!",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["allowed_origins"] == ["https://www.example.com", "http://localhost:8080"]
    assert body["in_use"] is True and body["whatsapp_service"] == service.pk
    widget = Widget.objects.get(pk=body["id"])
    assert body["embed_snippet"] == (
        f'<script src="http://testserver/widget/embed.js" data-occ-widget="{widget.public_key}" async></script>'
    )
    assert widget.origins == ["https://www.example.com", "http://localhost:8080"]
    response = admin_api.patch(
        f"{WIDGETS}{widget.pk}/", {"in_use": False, "allowed_origins": []}, format="json"
    )
    assert response.status_code == 200
    widget.refresh_from_db()
    assert widget.in_use is False and widget.allowed_origins == ""


def test_origins_are_checked_like_in_the_console(admin_api, service):
    errors = errors_of(
        admin_api.post(
            WIDGETS,
            {
                "name": "W",
                "whatsapp_service": service.pk,
                "allowed_origins": ["https://a.example/shop", "ftp://x"],
            },
            format="json",
        )
    )
    assert list(errors) == ["allowed_origins"]
    assert any("no path" in m for m in errors["allowed_origins"]) and any(
        "ftp://x" in m for m in errors["allowed_origins"]
    )


def test_a_widget_in_use_needs_its_whatsapp_service(admin_api, db):
    errors = errors_of(admin_api.post(WIDGETS, {"name": "W"}, format="json"))
    assert list(errors) == ["whatsapp_service"]
    assert admin_api.post(WIDGETS, {"name": "W", "in_use": False}, format="json").status_code == 201


def test_a_widget_leads_only_to_a_service_that_can_receive_whatsapp(admin_api, chat_settings):
    no_whatsapp = Service.objects.create(name="Mail only")
    errors = errors_of(
        admin_api.post(WIDGETS, {"name": "W", "whatsapp_service": no_whatsapp.pk}, format="json")
    )
    assert list(errors) == ["whatsapp_service"]


def test_only_administrators_manage_widgets(anon, agent_api, db):
    assert anon.get(WIDGETS).status_code == 401
    assert agent_api.get(WIDGETS).status_code == 403
    assert agent_api.post(WIDGETS, {"name": "W"}, format="json").status_code == 403


def test_administrator_creates_and_renames_a_contact(admin_api, db):
    response = admin_api.post(
        CONTACTS, {"address": "+39 333 765 4321", "name": "Gino"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (
        response.json()["address"] == "+393337654321" and response.json()["channel"] == "whatsapp"
    )
    contact_id = response.json()["id"]
    assert (
        admin_api.patch(f"{CONTACTS}{contact_id}/", {"name": "Gino R."}, format="json").json()[
            "name"
        ]
        == "Gino R."
    )
    assert "address" in errors_of(
        admin_api.post(CONTACTS, {"address": "0039 333 765 4321"}, format="json")
    )
    assert "address" in errors_of(
        admin_api.post(CONTACTS, {"address": "333 765 4321"}, format="json")
    )
    assert Contact.objects.count() == 1


def test_an_agent_sees_only_the_contacts_of_their_interactions(
    agent_api, other_agent_api, admin_api, agent, other_agent, inbound
):
    mine = inbound(CUSTOMER_NUMBER)
    assert mine.agent_id == agent.pk  # the first online agent, the one idle longest
    theirs = inbound("+393339999999")
    assert theirs.agent_id == other_agent.pk
    assert [c["address"] for c in agent_api.get(CONTACTS).json()["results"]] == [CUSTOMER_NUMBER]
    assert agent_api.get(f"{CONTACTS}{theirs.contact_id}/").status_code == 404
    assert (
        agent_api.patch(f"{CONTACTS}{mine.contact_id}/", {"name": "x"}, format="json").status_code
        == 403
    )
    assert admin_api.get(CONTACTS).json()["count"] == 2
    assert (
        admin_api.get(f"{CONTACTS}?address=%2B393339999999").json()["results"][0]["id"]
        == theirs.contact_id
    )


def test_a_widget_colour_white_text_cannot_be_read_on_is_refused(admin_api, service):
    errors = errors_of(
        admin_api.post(
            WIDGETS,
            {"name": "W", "whatsapp_service": service.pk, "colour": "#7cc4ff"},
            format="json",
        )
    )
    assert "1.88:1" in str(errors["colour"])
    response = admin_api.post(
        WIDGETS,
        {"name": "W", "whatsapp_service": service.pk, "colour": "#1d4ed8", "position": "left"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["colour"], response.json()["position"]) == ("#1d4ed8", "left")
