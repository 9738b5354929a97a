"""Configuration that agrees with itself: the account's WhatsApp switch, readiness in words, line breaks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from interactions.actions.inbound import InboundMessage, receive_inbound
from settings.models import ChatChannelSettings
from tests.api.conftest import token_client
from tests.conftest import ACCOUNT_SID
from widgets.models import Widget

pytestmark = pytest.mark.django_db

CHAT_CHANNEL = "/settings/advanced/chat-channel/"


def config_url(widget) -> str:
    return reverse("widgets:config", args=[widget.public_key])


def answer(client, widget):
    response = client.get(config_url(widget), HTTP_ORIGIN="https://shop.example.com")
    return response.status_code, response.json()


def test_with_whatsapp_off_for_the_account_the_widget_answers_as_a_disabled_one(client, widget):
    assert answer(client, widget)[0] == 200
    ChatChannelSettings.objects.filter(pk=1).update(whatsapp_enabled=False)
    off = answer(client, widget)
    Widget.objects.filter(pk=widget.pk).update(in_use=False)
    disabled = answer(client, widget)
    assert off == disabled and off[0] == 404
    # Back on: shown again.
    ChatChannelSettings.objects.filter(pk=1).update(whatsapp_enabled=True)
    Widget.objects.filter(pk=widget.pk).update(in_use=True)
    assert answer(client, widget)[0] == 200


def test_the_services_list_says_why_a_service_is_not_ready(admin_client, service):
    page = admin_client.get("/services/").content.decode()
    assert "Ready" in page and "not-ready" not in page
    ChatChannelSettings.objects.filter(pk=1).update(whatsapp_enabled=False)
    page = admin_client.get("/services/").content.decode()
    assert "Not ready" in page and "WhatsApp is off for the account" in page
    page = admin_client.get("/services/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "WhatsApp è disattivato per l&#x27;account" in page


def test_switching_whatsapp_off_with_open_conversations_asks_first(admin_client, service, agent):
    receive_inbound(
        service,
        InboundMessage(channel="whatsapp", address="+393331234567", provider_id="SM" + "1" * 32),
    )
    form = {"action": "save", "account_sid": ACCOUNT_SID, "auth_token": ""}  # the box unticked
    response = admin_client.post(CHAT_CHANNEL, form)
    assert response.status_code == 200
    assert b"1 WhatsApp conversation is open" in response.content
    assert ChatChannelSettings.load().whatsapp_enabled  # nothing saved
    response = admin_client.post(CHAT_CHANNEL, {**form, "confirm_off": "1"})
    assert response.status_code == 302
    assert not ChatChannelSettings.load().whatsapp_enabled


def test_switching_off_with_nothing_open_needs_no_confirmation(admin_client, chat_settings):
    response = admin_client.post(
        CHAT_CHANNEL, {"action": "save", "account_sid": ACCOUNT_SID, "auth_token": ""}
    )
    assert response.status_code == 302 and not ChatChannelSettings.load().whatsapp_enabled


def test_the_prefilled_text_may_hold_line_breaks(client, admin_user, service, widget):
    api = token_client(admin_user)
    response = api.patch(
        f"/api/v1/widgets/{widget.pk}/",
        {"prefilled_text": "Hello!\nI have a question."},
        format="json",
    )
    assert response.status_code == 200, response.content
    widget.refresh_from_db()
    assert widget.prefilled_text == "Hello!\nI have a question."
    status, data = answer(client, widget)
    assert data["channels"][0]["app_link"].endswith("?text=Hello%21%0AI%20have%20a%20question.")
    # Other control characters are still refused.
    bad = api.patch(f"/api/v1/widgets/{widget.pk}/", {"prefilled_text": "a\tb"}, format="json")
    assert bad.status_code == 400


def test_the_console_keeps_the_line_breaks(admin_client, service, widget):
    form = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
    assert '<textarea name="prefilled_text"' in form


def _widget_form(widget, **changes) -> dict:
    return {
        "name": widget.name,
        "allowed_origins": widget.allowed_origins,
        "whatsapp_service": widget.whatsapp_service_id or "",
        "prefilled_text": widget.prefilled_text,
        "colour": widget.colour,
        "position": widget.position,
        **({"in_use": "on"} if widget.in_use else {}),
        **changes,
    }


def test_a_widget_switched_off_while_its_service_is_inactive_keeps_its_mapping(
    admin_client, service, widget
):
    admin_client.post(f"/services/{service.pk}/deactivate/")
    page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
    # The service is still offered, chosen: the form does not drop it.
    assert f'<option value="{service.pk}" selected>' in page
    form = _widget_form(widget)
    form.pop("in_use")
    response = admin_client.post(f"/settings/widgets/{widget.pk}/", form)
    assert response.status_code == 302, response.content
    widget.refresh_from_db()
    assert (widget.in_use, widget.whatsapp_service) == (False, service)


def test_through_the_api_too(admin_user, service, widget):
    service.is_active = False
    service.save(update_fields=["is_active"])
    response = token_client(admin_user).patch(
        f"/api/v1/widgets/{widget.pk}/", {"in_use": False}, format="json"
    )
    assert response.status_code == 200, response.content
    widget.refresh_from_db()
    assert (widget.in_use, widget.whatsapp_service) == (False, service)


def test_a_widget_in_use_still_needs_a_ready_service(admin_client, service, widget):
    service.is_active = False
    service.save(update_fields=["is_active"])
    response = admin_client.post(f"/settings/widgets/{widget.pk}/", _widget_form(widget))
    assert response.status_code == 200
    assert "is not ready for WhatsApp: choose another" in response.content.decode()
    widget.refresh_from_db()
    assert widget.in_use and widget.whatsapp_service == service


def test_another_inactive_service_is_not_offered(admin_client, service, widget, chat_settings):
    from services.models import Service

    other = Service.objects.create(
        name="Old", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390299999999"
    )
    other.is_active = False
    other.save(update_fields=["is_active"])
    page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
    assert f'value="{other.pk}"' not in page


def test_a_service_without_a_number_is_not_offered_a_widget_link(
    admin_client, widget, chat_settings
):
    """A service on a Messaging Service alone: wa.me needs a number."""
    from services.models import Service

    pool_only = Service.objects.create(
        name="Sales",
        chat_enabled=True,
        whatsapp_enabled=True,
        messaging_service_sid="MG" + "a" * 32,
    )
    page = admin_client.get(f"/settings/widgets/{widget.pk}/").content.decode()
    assert f'value="{pool_only.pk}"' not in page


def test_the_not_ready_refusal_speaks_italian(admin_client, service, widget):
    service.is_active = False
    service.save(update_fields=["is_active"])
    response = admin_client.post(
        f"/settings/widgets/{widget.pk}/", _widget_form(widget), HTTP_ACCEPT_LANGUAGE="it"
    )
    assert "non è pronto per WhatsApp: sceglierne un altro" in response.content.decode()
