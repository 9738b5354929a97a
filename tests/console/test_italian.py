"""The console speaks Italian to a browser that asks for it (labels of the product document)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.console.conftest import field_errors

pytestmark = pytest.mark.django_db

IT = {"HTTP_ACCEPT_LANGUAGE": "it-IT,it;q=0.9,en;q=0.5"}


def test_chat_channel_page_in_italian(admin_client, chat_settings):
    html = admin_client.get(reverse("advanced_settings:chat_channel"), **IT).content.decode()
    assert '<html lang="it">' in html
    for label in [
        "Impostazioni",
        "Avanzate",
        "Canale Chat",
        "Abilita WhatsApp",
        "Verifica Account",
        "Salva",
    ]:
        assert label in html, label
    assert "Verify account" not in html


def test_services_pages_in_italian(admin_client, service):
    html = admin_client.get(reverse("services:list"), **IT).content.decode()
    assert (
        "<h1>Servizi</h1>" in html
        and "Numero di telefono Twilio" in html
        and "Nuovo servizio" in html
    )
    html = admin_client.get(reverse("services:edit", args=[service.pk]), **IT).content.decode()
    assert "Numero di telefono Twilio" in html and "Canali" in html


def test_users_pages_in_italian(admin_client, agent):
    html = admin_client.get(reverse("agents:user_list"), **IT).content.decode()
    assert "<h1>Utenti</h1>" in html and "Massime interazioni" in html
    html = admin_client.get(
        reverse("agents:user_edit", args=[agent.user.pk]), **IT
    ).content.decode()
    assert "Massime interazioni" in html and "Solo con il canale Chat abilitato." in html


def test_form_errors_in_italian(admin_client, chat_settings):
    response = admin_client.post(
        reverse("services:create"),
        {
            "name": "Vendite",
            "chat_enabled": "on",
            "whatsapp_enabled": "on",
            "twilio_number": "06 1234 5678",
        },
        **IT,
    )
    assert "formato internazionale" in field_errors(response.content.decode(), "twilio_number")
    response = admin_client.post(
        reverse("advanced_settings:chat_channel"), {"action": "save", "account_sid": "AC1"}, **IT
    )
    assert "32 cifre esadecimali" in field_errors(response.content.decode(), "account_sid")


def test_verify_account_result_in_italian(admin_client, chat_settings, fake_twilio):
    response = admin_client.post(
        reverse("advanced_settings:chat_channel"),
        {
            "action": "verify",
            "whatsapp_enabled": "on",
            "account_sid": chat_settings.account_sid,
            "auth_token": "sbagliato",
        },
        **IT,
    )
    assert "Twilio ha rifiutato queste credenziali" in response.content.decode()


def test_403_in_italian(agent_client):
    html = agent_client.get(reverse("services:list"), **IT).content.decode()
    assert "Accesso negato" in html and "Vai alla postazione" in html


def test_english_is_the_default(admin_client, chat_settings):
    html = admin_client.get(reverse("advanced_settings:chat_channel")).content.decode()
    assert "Verify account" in html and "Verifica Account" not in html


def test_the_language_switch_overrides_the_browser(admin_client, chat_settings):
    admin_client.post(reverse("set_language"), {"language": "it", "next": "/"})
    html = admin_client.get(
        reverse("advanced_settings:chat_channel"), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Verifica Account" in html


def test_widget_pages_in_italian(admin_client, service):
    from widgets.models import Widget

    widget = Widget.objects.create(name="Sito", whatsapp_service=service)
    html = admin_client.get(reverse("widgets:list"), **IT).content.decode()
    assert "Impostazioni → Widget" in html and "In uso" in html and "Canali → WhatsApp" in html
    html = admin_client.get(reverse("widgets:edit", args=[widget.pk]), **IT).content.decode()
    assert "Canali → WhatsApp" in html and "Servizio WhatsApp" in html
