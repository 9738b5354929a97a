"""Settings → Advanced → Chat channel through the API: write-only token, verify, validation."""

from __future__ import annotations

from settings.models import ChatChannelSettings
from tests.api.conftest import errors_of
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN

URL = "/api/v1/settings/chat-channel/"


def test_administrator_sets_credentials_and_the_token_never_comes_back(admin_api):
    response = admin_api.patch(
        URL,
        {"whatsapp_enabled": True, "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["has_auth_token"] is True and body["whatsapp_ready"] is True
    assert AUTH_TOKEN not in response.content.decode()
    assert "auth_token" not in body
    config = ChatChannelSettings.load()
    assert config.get_auth_token() == AUTH_TOKEN and AUTH_TOKEN not in config.auth_token_encrypted
    assert AUTH_TOKEN not in admin_api.get(URL).content.decode()


def test_a_malformed_account_sid_is_a_field_error(admin_api):
    errors = errors_of(admin_api.patch(URL, {"account_sid": "AC123"}, format="json"))
    assert list(errors) == ["account_sid"]
    assert "32 hexadecimal" in errors["account_sid"][0]


def test_whatsapp_needs_sid_and_token(admin_api, db):
    errors = errors_of(
        admin_api.put(URL, {"whatsapp_enabled": True, "account_sid": ""}, format="json")
    )
    assert set(errors) == {"account_sid", "auth_token"}


def test_blank_token_keeps_the_stored_one(admin_api, chat_settings):
    response = admin_api.patch(URL, {"auth_token": ""}, format="json")
    assert response.status_code == 200
    assert ChatChannelSettings.load().get_auth_token() == AUTH_TOKEN


def test_changing_credentials_clears_the_last_verification(admin_api, chat_settings, fake_twilio):
    assert admin_api.post(URL + "verify/", {}, format="json").json()["ok"] is True
    assert ChatChannelSettings.load().verification_ok is True
    admin_api.patch(URL, {"auth_token": "another-token"}, format="json")
    assert ChatChannelSettings.load().verification_ok is None


def test_verify_checks_the_stored_credentials_against_twilio_and_records_the_result(
    admin_api, chat_settings, fake_twilio
):
    response = admin_api.post(URL + "verify/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["ok"] is True and response.json()["friendly_name"] == "OCC Test"
    assert fake_twilio.requests[-1]["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"
    assert ChatChannelSettings.load().verified_at is not None


def test_verify_reports_a_wrong_token_in_plain_words(admin_api, db, fake_twilio):
    response = admin_api.post(
        URL + "verify/", {"account_sid": ACCOUNT_SID, "auth_token": "wrong"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["kind"] == "credentials" and "20003" in response.json()["message"]
    assert ChatChannelSettings.load().verified_at is None  # given credentials are not stored


def test_verify_without_credentials_is_a_clear_error(admin_api, db):
    errors = errors_of(admin_api.post(URL + "verify/", {}, format="json"))
    assert "non_field_errors" in errors


def test_only_administrators_see_the_settings(
    anon, agent_api, other_agent_api, admin_api, chat_settings
):
    assert anon.get(URL).status_code == 401
    assert agent_api.get(URL).status_code == 403
    assert agent_api.patch(URL, {"whatsapp_enabled": False}, format="json").status_code == 403
    assert agent_api.post(URL + "verify/", {}, format="json").status_code == 403
    assert admin_api.get(URL).status_code == 200
