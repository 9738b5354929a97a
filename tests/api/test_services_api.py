"""Services through the API: the same validation as the console (Service.full_clean)."""

from __future__ import annotations

from services.models import Service
from tests.api.conftest import errors_of
from tests.conftest import SERVICE_NUMBER

URL = "/api/v1/services/"


def test_administrator_creates_reads_and_updates_a_service(admin_api, chat_settings):
    response = admin_api.post(
        URL,
        {
            "name": "Sales",
            "chat_enabled": True,
            "whatsapp_enabled": True,
            "twilio_number": "0039 02 9876 5432",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["twilio_number"] == "+390298765432"  # normalised to E.164, like the console
    assert created["whatsapp_ready"] is True
    detail = admin_api.get(f"{URL}{created['id']}/").json()
    assert detail["name"] == "Sales"
    response = admin_api.patch(
        f"{URL}{created['id']}/", {"queue_position_reply": True}, format="json"
    )
    assert (
        response.status_code == 200 and Service.objects.get(pk=created["id"]).queue_position_reply
    )


def test_the_same_number_written_differently_is_a_duplicate(admin_api, service):
    errors = errors_of(
        admin_api.post(
            URL,
            {"name": "Other", "chat_enabled": True, "twilio_number": "+39 02 1234 5678"},
            format="json",
        )
    )
    assert list(errors) == ["twilio_number"]
    assert Service.objects.filter(twilio_number=SERVICE_NUMBER).count() == 1


def test_whatsapp_needs_the_chat_channel_and_a_number(admin_api, chat_settings):
    errors = errors_of(admin_api.post(URL, {"name": "X", "whatsapp_enabled": True}, format="json"))
    assert set(errors) == {"whatsapp_enabled", "twilio_number"}
    assert "chat channel" in errors["whatsapp_enabled"][0]


def test_whatsapp_on_a_service_needs_whatsapp_in_the_advanced_settings(admin_api, db):
    errors = errors_of(
        admin_api.post(
            URL,
            {
                "name": "X",
                "chat_enabled": True,
                "whatsapp_enabled": True,
                "twilio_number": "+390211111111",
            },
            format="json",
        )
    )
    assert "Advanced" in " ".join(errors["whatsapp_enabled"])


def test_a_national_number_is_refused_with_the_reason(admin_api, chat_settings):
    errors = errors_of(
        admin_api.post(URL, {"name": "X", "twilio_number": "02 1234 5678"}, format="json")
    )
    assert "international format" in errors["twilio_number"][0]


def test_duplicate_names_are_field_errors(admin_api, service):
    assert "name" in errors_of(admin_api.post(URL, {"name": service.name}, format="json"))


def test_a_service_with_interactions_cannot_be_deleted(admin_api, service, inbound):
    inbound()
    response = admin_api.delete(f"{URL}{service.pk}/")
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert Service.objects.filter(pk=service.pk).exists()


def test_agents_read_services_but_only_administrators_change_them(
    anon, agent_api, admin_api, service
):
    assert anon.get(URL).status_code == 401
    assert agent_api.get(URL).json()["results"][0]["name"] == service.name
    assert agent_api.post(URL, {"name": "Mine"}, format="json").status_code == 403
    assert (
        agent_api.patch(f"{URL}{service.pk}/", {"name": "Mine"}, format="json").status_code == 403
    )
    assert agent_api.delete(f"{URL}{service.pk}/").status_code == 403
    assert (
        admin_api.patch(f"{URL}{service.pk}/", {"name": "Care"}, format="json").status_code == 200
    )


def test_lists_filter_and_order(admin_api, service):
    Service.objects.create(name="Archive", is_active=False)
    names = [s["name"] for s in admin_api.get(URL + "?ordering=-name").json()["results"]]
    assert names == ["Customer care", "Archive"]
    assert [s["name"] for s in admin_api.get(URL + "?is_active=false").json()["results"]] == [
        "Archive"
    ]
    page = admin_api.get(URL + "?page_size=1").json()
    assert page["count"] == 2 and len(page["results"]) == 1 and page["next"]


def test_first_response_target_idle_close_and_messages_through_the_api(admin_api, service):
    response = admin_api.patch(
        f"{URL}{service.pk}/",
        {
            "first_response_minutes": 7,
            "idle_close_hours": 24,
            "no_agent_reply": True,
            "default_language": "it",
            "time_zone": "Asia/Tokyo",  # read only: business hours are the console's
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    service.refresh_from_db()
    assert (service.first_response_minutes, service.idle_close_hours) == (7, 24)
    assert service.no_agent_reply and service.default_language == "it"
    assert service.time_zone == "Europe/Rome"
    assert response.json()["business_hours_enabled"] is False
    refused = admin_api.patch(f"{URL}{service.pk}/", {"first_response_minutes": 0}, format="json")
    assert refused.status_code == 400
