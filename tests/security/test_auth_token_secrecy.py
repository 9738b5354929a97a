"""The Twilio Auth Token: encrypted at rest, absent from every page, API response and log line."""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test import Client

from interactions.actions.outbound import create_reply, deliver
from occ.lib import crypto
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, load_payload
from tests.security.urlconf import endpoints
from whatsapp import gateway

pytestmark = pytest.mark.django_db


def every_stored_value() -> str:
    """Every row of every table of the project, as text, read with a raw cursor."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_raw_column_holds_ciphertext_that_decrypts_to_the_token(chat_settings):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auth_token_encrypted FROM advanced_settings_chatchannelsettings WHERE id = 1"
        )
        (raw,) = cursor.fetchone()
    assert raw and AUTH_TOKEN not in raw
    assert raw.startswith("gAAAA"), "a Fernet token"
    assert crypto.decrypt(raw) == AUTH_TOKEN


def test_the_token_is_stored_nowhere_in_clear(world):
    assert AUTH_TOKEN not in every_stored_value()


def test_the_ciphertext_needs_the_key(chat_settings, settings):
    settings.OCC_ENCRYPTION_KEY = "another-installation's-key"
    with pytest.raises(crypto.DecryptionError):
        chat_settings.get_auth_token()


def test_no_page_or_api_response_contains_the_token(world):
    admin = Client()
    admin.force_login(world["admin"])
    agent = Client()
    agent.force_login(world["owner"].user)
    checked = 0
    for endpoint in endpoints(world):
        for client in (admin, agent, Client()):
            response = client.get(endpoint.url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert AUTH_TOKEN.encode() not in body, f"{endpoint.url} shows the Auth Token"
            assert chat_token_ciphertext().encode() not in body, (
                f"{endpoint.url} shows its ciphertext"
            )
            checked += 1
    assert checked >= 30


def chat_token_ciphertext() -> str:
    from settings.models import ChatChannelSettings

    return ChatChannelSettings.load().auth_token_encrypted


def test_no_log_line_contains_the_token(world, fake_twilio, signed_post, caplog):
    """Everything that touches the token, logged at DEBUG: webhooks, verify, sending, failures."""
    caplog.set_level(logging.DEBUG)
    signed_post(
        "/whatsapp/twilio/inbound",
        load_payload("inbound_text", MessageSid="SM" + "d" * 32, SmsSid="SM" + "d" * 32),
    )
    signed_post("/whatsapp/twilio/inbound", load_payload("inbound_text"), token="wrong-token")
    assert gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN).ok  # Twilio's answer includes auth_token
    gateway.verify_account(ACCOUNT_SID, "wrong-token")
    deliver(world["message"])
    fake_twilio.fail_next(1, status=401, code=20003, message="Authenticate")
    second = create_reply(world["interaction"].pk, sender=world["owner"].user, body="again")
    deliver(second)
    assert caplog.records, "something was logged"
    assert AUTH_TOKEN not in caplog.text
    assert chat_token_ciphertext() not in caplog.text
