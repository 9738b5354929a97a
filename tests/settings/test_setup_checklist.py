"""The console home's setup checklist: each step of the product document ticked from what is stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from occ.selectors import setup_checklist

pytestmark = pytest.mark.django_db


def ticked() -> dict[str, bool]:
    return {step.key: step.done for step in setup_checklist().steps}


def test_a_fresh_installation_has_every_step_to_do():
    checklist = setup_checklist()
    assert [step.key for step in checklist.steps] == [
        "chat_channel",
        "service",
        "service_whatsapp",
        "agents",
        "widget",
    ]
    assert not any(ticked().values())
    assert checklist.done_count == 0 and not checklist.complete
    assert checklist.next_step is checklist.steps[0]


def test_credentials_without_a_successful_verify_account_leave_the_first_step_open(
    chat_settings,
):
    assert ticked()["chat_channel"] is False
    chat_settings.verification_ok = False
    chat_settings.save()
    assert ticked()["chat_channel"] is False
    chat_settings.verification_ok = True
    chat_settings.save()
    assert ticked()["chat_channel"] is True
    chat_settings.whatsapp_enabled = False
    chat_settings.save()
    assert ticked()["chat_channel"] is False


def test_a_service_without_whatsapp_ticks_only_the_service_step(chat_settings):
    from services.models import Service

    Service.objects.create(name="Back office", chat_enabled=True)
    assert ticked()["service"] is True and ticked()["service_whatsapp"] is False
    Service.objects.create(
        name="Care", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390212345678"
    )
    assert ticked()["service_whatsapp"] is True


def test_agents_count_only_with_chat_whatsapp_and_a_whatsapp_service(make_agent, service):
    from services.models import Service

    elsewhere = Service.objects.create(name="Back office", chat_enabled=True)
    make_agent("bo", services=[elsewhere])
    make_agent("nowa", whatsapp_enabled=False)
    assert ticked()["agents"] is False
    alex = make_agent("alex")
    assert ticked()["agents"] is True
    alex.user.is_active = False
    alex.user.save()
    assert ticked()["agents"] is False


def test_the_widget_step_needs_a_widget_in_use_leading_to_a_whatsapp_service(service):
    from widgets.models import Widget

    widget = Widget.objects.create(name="Website", in_use=True)
    assert ticked()["widget"] is False
    widget.whatsapp_service = service
    widget.in_use = False
    widget.save()
    assert ticked()["widget"] is False
    widget.in_use = True
    widget.save()
    assert ticked()["widget"] is True


def test_everything_configured_completes_the_checklist(chat_settings, agent, service):
    from widgets.models import Widget

    chat_settings.verification_ok = True
    chat_settings.save()
    Widget.objects.create(name="Website", whatsapp_service=service)
    checklist = setup_checklist()
    assert checklist.complete and checklist.next_step is None
    assert checklist.done_count == len(checklist.steps) == 5


def test_the_console_home_shows_the_checklist_open_until_done_then_folded(
    admin_client, chat_settings, agent, service
):
    from widgets.models import Widget

    page = admin_client.get(reverse("console_home")).content.decode()
    assert 'id="setup-checklist" data-complete="false" open' in page
    assert 'data-step="widget" data-done="false"' in page
    assert 'data-step="agents" data-done="true"' in page
    chat_settings.verification_ok = True
    chat_settings.save()
    Widget.objects.create(name="Website", whatsapp_service=service)
    page = admin_client.get(reverse("console_home")).content.decode()
    assert 'id="setup-checklist" data-complete="true">' in page
    assert "Setup complete" in page


def test_only_administrators_open_the_console_home(client, agent):
    client.force_login(agent.user)
    assert client.get(reverse("console_home")).status_code == 403
