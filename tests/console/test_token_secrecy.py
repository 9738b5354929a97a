"""The Auth Token is write-only: in no response, in no log line, never stored in plaintext."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.urls import reverse

from settings.models import ChatChannelSettings
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN

pytestmark = pytest.mark.django_db

URL = "/settings/advanced/chat-channel/"


def save_token(client, token=AUTH_TOKEN, action="save", **extra):
    data = {
        "action": action,
        "whatsapp_enabled": "on",
        "account_sid": ACCOUNT_SID,
        "auth_token": token,
    }
    data.update(extra)
    return client.post(URL, data, follow=True)


def test_the_token_appears_in_no_console_page(admin_client, fake_twilio, console_urls):
    responses = [save_token(admin_client), save_token(admin_client, action="verify")]
    # Re-rendered forms after errors and failed verifications, with the token typed in.
    responses.append(save_token(admin_client, account_sid="AC-bad"))
    responses.append(save_token(admin_client, token=AUTH_TOKEN, clear_auth_token="on"))
    responses.append(save_token(admin_client, token=AUTH_TOKEN + "x", action="verify"))
    responses += [admin_client.get(url) for url in console_urls]
    responses.append(
        admin_client.post(reverse("services:create"), {"name": "x", "whatsapp_enabled": "on"})
    )
    assert ChatChannelSettings.load().get_auth_token() == AUTH_TOKEN
    for response in responses:
        assert response.status_code == 200
        body = response.content.decode()
        assert AUTH_TOKEN not in body
        assert ChatChannelSettings.load().auth_token_encrypted not in body


def test_the_token_appears_in_no_log_line(admin_client, fake_twilio, settings, caplog):
    caplog.set_level(logging.DEBUG)
    save_token(admin_client)
    save_token(admin_client, action="verify")
    save_token(admin_client, token=AUTH_TOKEN + "-wrong", action="verify")
    fake_twilio.accounts[ACCOUNT_SID].status = "suspended"
    save_token(admin_client, action="verify")
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"
    save_token(admin_client, action="verify")
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        "chat channel settings saved by ada" in m and "Auth Token replaced" in m for m in messages
    )
    assert any("verified by ada: credentials" in m for m in messages)
    for record in caplog.records:
        text = record.getMessage() + repr(record.args) + (record.exc_text or "")
        assert AUTH_TOKEN not in text, record.name


def test_the_database_column_holds_no_plaintext(admin_client):
    save_token(admin_client)
    table = ChatChannelSettings._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT auth_token_encrypted FROM {table}")
        (raw,) = cursor.fetchone()
    assert raw and AUTH_TOKEN not in raw
    assert ChatChannelSettings.load().get_auth_token() == AUTH_TOKEN


def test_the_token_is_readable_only_with_the_configured_key(admin_client, settings):
    save_token(admin_client)
    settings.OCC_ENCRYPTION_KEY = "another passphrase entirely"
    from occ.lib.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        ChatChannelSettings.load().get_auth_token()


def test_an_unreadable_stored_token_asks_to_type_it_again(admin_client, settings, fake_twilio):
    save_token(admin_client)
    settings.OCC_ENCRYPTION_KEY = "another passphrase entirely"
    response = admin_client.post(
        URL, {"action": "verify", "whatsapp_enabled": "on", "account_sid": ACCOUNT_SID}
    )
    assert response.status_code == 200 and "type it again" in response.content.decode()
    assert fake_twilio.requests == []
