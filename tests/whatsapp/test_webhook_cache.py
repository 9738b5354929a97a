"""The account and services kept for webhooks never refuse or misroute a genuine message."""

from __future__ import annotations

import pytest

from interactions.models import Message
from services.models import Service
from settings.models import ChatChannelSettings
from tests.conftest import AUTH_TOKEN, SERVICE_NUMBER, load_payload
from whatsapp import webhook_cache

pytestmark = pytest.mark.django_db

INBOUND = "/whatsapp/twilio/inbound"
NEW_TOKEN = "rotated-auth-token-0123456789abcdef"


def _change_token_in_another_worker(token: str) -> None:
    # A queryset update sends no signal: exactly what another process's save looks like here.
    config = ChatChannelSettings.load()
    config.set_auth_token(token)
    ChatChannelSettings.objects.filter(pk=config.pk).update(
        auth_token_encrypted=config.auth_token_encrypted
    )


def test_token_changed_in_another_worker_is_accepted_at_once(signed_post, service, agent):
    assert webhook_cache.auth_token() == AUTH_TOKEN
    _change_token_in_another_worker(NEW_TOKEN)
    assert webhook_cache.auth_token() == AUTH_TOKEN  # still kept here

    assert signed_post(INBOUND, load_payload("inbound_text"), token=NEW_TOKEN).status_code == 200
    assert Message.objects.count() == 1


def test_the_old_token_is_refused_once_the_new_one_is_read(signed_post, service, agent):
    _change_token_in_another_worker(NEW_TOKEN)
    webhook_cache.auth_token(fresh=True)
    response = signed_post(INBOUND, load_payload("inbound_text"), token=AUTH_TOKEN)
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_saving_the_settings_forgets_the_kept_account(chat_settings):
    assert webhook_cache.account().whatsapp_enabled
    chat_settings.whatsapp_enabled = False
    chat_settings.save()
    assert webhook_cache.account().whatsapp_enabled is False


def test_a_service_switched_off_here_takes_nothing_more(signed_post, service, agent):
    assert webhook_cache.service(SERVICE_NUMBER) == service
    service.whatsapp_enabled = False
    service.save()
    assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
    assert not Message.objects.exists()


def test_a_number_without_service_is_not_remembered(chat_settings):
    assert webhook_cache.service(SERVICE_NUMBER) is None
    created = Service.objects.bulk_create(  # no signal: as if created by another worker
        [
            Service(
                name="Sales", chat_enabled=True, whatsapp_enabled=True, twilio_number=SERVICE_NUMBER
            )
        ]
    )[0]
    assert webhook_cache.service(SERVICE_NUMBER) == created


def test_a_change_elsewhere_is_seen_after_the_kept_time(monkeypatch, service):
    assert webhook_cache.service(SERVICE_NUMBER).whatsapp_enabled
    Service.objects.filter(pk=service.pk).update(whatsapp_enabled=False)  # another worker
    assert webhook_cache.service(SERVICE_NUMBER).whatsapp_enabled  # still kept here

    later = webhook_cache.time.monotonic() + webhook_cache.TTL_SECONDS + 1
    monkeypatch.setattr(webhook_cache.time, "monotonic", lambda: later)
    assert webhook_cache.service(SERVICE_NUMBER).whatsapp_enabled is False
