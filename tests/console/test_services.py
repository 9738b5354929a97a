"""Services: number formats, uniqueness, the WhatsApp rules next to their fields, deactivation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from services.models import Service
from settings.models import ChatChannelSettings
from tests.conftest import SERVICE_NUMBER
from tests.console.conftest import field_errors

pytestmark = pytest.mark.django_db


def service_data(**overrides):
    data = {
        "name": "Sales",
        "is_active": "on",
        "chat_enabled": "on",
        "whatsapp_enabled": "on",
        "twilio_number": "+39 06 9876 5432",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def create(client, **overrides):
    return client.post(reverse("services:create"), service_data(**overrides))


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("+39 06 9876 5432", "+390698765432"),
        ("0039 06-9876-5432", "+390698765432"),
        ("+39 (06) 9876.5432", "+390698765432"),
        ("whatsapp:+14155238886", "+14155238886"),
        ("  +1 415 523 8886 ", "+14155238886"),
    ],
)
def test_numbers_are_stored_in_e164(admin_client, chat_settings, typed, stored):
    response = create(admin_client, twilio_number=typed)
    assert response.status_code == 302, field_errors(response.content.decode(), "twilio_number")
    assert Service.objects.get(name="Sales").twilio_number == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ("06 9876 5432", "international format"),
        ("+39 06 98x6 5432", "only digits"),
        ("+0 123 456 789", "never starts with 0"),
        ("+39 123", "between 8 and 15 digits"),
        ("+39 1234 5678 9012 3456", "between 8 and 15 digits"),
    ],
)
def test_malformed_numbers_are_explained_next_to_the_field(
    admin_client, chat_settings, typed, message
):
    response = create(admin_client, twilio_number=typed)
    assert response.status_code == 200
    assert message in field_errors(response.content.decode(), "twilio_number")
    assert not Service.objects.filter(name="Sales").exists()


def test_a_number_in_use_by_another_service_is_refused_in_any_format(admin_client, service):
    response = create(admin_client, twilio_number="+39 02 1234 5678")  # SERVICE_NUMBER, spaced
    assert response.status_code == 200
    assert "Customer care" in field_errors(response.content.decode(), "twilio_number")
    assert Service.objects.filter(twilio_number=SERVICE_NUMBER).count() == 1


def test_a_service_keeps_its_own_number_when_edited(admin_client, service):
    response = admin_client.post(
        reverse("services:edit", args=[service.pk]),
        service_data(name="Customer care desk", twilio_number="0039 02 1234 5678"),
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Customer care desk" and service.twilio_number == SERVICE_NUMBER


def test_whatsapp_without_a_number_is_refused(admin_client, chat_settings):
    response = create(admin_client, twilio_number="")
    assert "needs the Twilio phone number" in field_errors(
        response.content.decode(), "twilio_number"
    )
    assert not Service.objects.exists()


def test_whatsapp_without_the_account_switch_is_refused(admin_client, chat_settings):
    ChatChannelSettings.objects.filter(pk=chat_settings.pk).update(whatsapp_enabled=False)
    response = create(admin_client)
    assert "Settings → Advanced → Chat channel" in field_errors(
        response.content.decode(), "whatsapp_enabled"
    )
    assert not Service.objects.exists()


def test_whatsapp_without_the_chat_channel_is_refused(admin_client, chat_settings):
    response = create(admin_client, chat_enabled=None)
    assert "chat channel" in field_errors(response.content.decode(), "whatsapp_enabled")
    assert not Service.objects.exists()


def test_a_service_without_whatsapp_needs_no_number_nor_account(admin_client, db):
    response = create(admin_client, whatsapp_enabled=None, twilio_number="")
    assert response.status_code == 302
    service = Service.objects.get(name="Sales")
    assert service.twilio_number is None and service.chat_enabled and not service.whatsapp_enabled


def test_two_services_without_a_number_coexist(admin_client, db):
    create(admin_client, name="A", whatsapp_enabled=None, twilio_number="")
    create(admin_client, name="B", whatsapp_enabled=None, twilio_number="")
    assert Service.objects.filter(twilio_number__isnull=True).count() == 2


def test_a_complete_service_is_ready_with_the_queue_option(admin_client, chat_settings):
    create(admin_client, queue_position_reply="on")
    service = Service.objects.get(name="Sales")
    assert service.whatsapp_ready and service.queue_position_reply


def test_duplicate_names_are_refused(admin_client, service):
    response = create(admin_client, name="Customer care", twilio_number="+39 06 1111 2222")
    assert field_errors(response.content.decode(), "name")


def test_deactivate_and_activate(admin_client, service):
    admin_client.post(reverse("services:deactivate", args=[service.pk]))
    service.refresh_from_db()
    assert not service.is_active and not Service.objects.whatsapp_ready().exists()
    admin_client.post(reverse("services:activate", args=[service.pk]))
    service.refresh_from_db()
    assert service.is_active and service.whatsapp_ready


def test_deactivation_needs_a_post(admin_client, service):
    assert admin_client.get(reverse("services:deactivate", args=[service.pk])).status_code == 405
    service.refresh_from_db()
    assert service.is_active


def test_the_list_shows_numbers_readiness_and_health_links(admin_client, service):
    html = admin_client.get(reverse("services:list")).content.decode()
    assert SERVICE_NUMBER in html and "Ready" in html
    assert reverse("whatsapp:health", args=[service.pk]) in html
