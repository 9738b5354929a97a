"""Settings → Advanced → Chat channel: validation, the write-only Auth Token, Verify account."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from settings.models import ChatChannelSettings
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.console.conftest import field_errors

pytestmark = pytest.mark.django_db

URL = "/settings/advanced/chat-channel/"
OTHER_TOKEN = "another-token-fedcba9876543210"


def post(client, action="save", **data):
    form = {
        "action": action,
        "whatsapp_enabled": "on",
        "account_sid": ACCOUNT_SID,
        "auth_token": "",
    }
    form.update(data)
    return client.post(URL, {k: v for k, v in form.items() if v is not None})


class TestValidation:
    @pytest.mark.parametrize(
        "sid",
        ["AC123", "XX" + "0" * 32, "AC" + "g" * 32, "AC" + "0" * 33, "ac" + "0" * 31],
    )
    def test_a_malformed_account_sid_is_refused_next_to_its_field(self, admin_client, sid):
        response = post(admin_client, account_sid=sid, auth_token=AUTH_TOKEN)
        assert response.status_code == 200
        assert "AC followed by 32 hexadecimal digits" in field_errors(
            response.content.decode(), "account_sid"
        )
        assert ChatChannelSettings.load().account_sid == ""

    def test_the_account_sid_is_trimmed(self, admin_client):
        post(admin_client, account_sid=f"  {ACCOUNT_SID} ", auth_token=AUTH_TOKEN)
        assert ChatChannelSettings.load().account_sid == ACCOUNT_SID

    def test_whatsapp_needs_the_sid_and_the_token(self, admin_client):
        response = post(admin_client, account_sid="", auth_token="")
        html = response.content.decode()
        assert "needs the Account SID" in field_errors(html, "account_sid")
        assert "needs the Auth Token" in field_errors(html, "auth_token")
        assert not ChatChannelSettings.load().whatsapp_enabled

    def test_credentials_may_be_saved_with_whatsapp_off(self, admin_client):
        response = post(admin_client, whatsapp_enabled=None, auth_token=AUTH_TOKEN)
        assert response.status_code == 302
        config = ChatChannelSettings.load()
        assert not config.whatsapp_enabled and config.get_auth_token() == AUTH_TOKEN


class TestWriteOnlyToken:
    def test_a_typed_token_is_stored_encrypted(self, admin_client):
        assert post(admin_client, auth_token=AUTH_TOKEN).status_code == 302
        config = ChatChannelSettings.load()
        assert config.whatsapp_enabled and config.get_auth_token() == AUTH_TOKEN

    def test_a_blank_token_keeps_the_stored_one(self, admin_client, chat_settings):
        response = post(admin_client, whatsapp_enabled=None, auth_token="")
        assert response.status_code == 302
        config = ChatChannelSettings.load()
        assert not config.whatsapp_enabled
        assert config.get_auth_token() == AUTH_TOKEN

    def test_a_new_token_replaces_the_stored_one(self, admin_client, chat_settings):
        post(admin_client, auth_token=OTHER_TOKEN)
        assert ChatChannelSettings.load().get_auth_token() == OTHER_TOKEN

    def test_the_stored_token_can_be_removed(self, admin_client, chat_settings):
        post(admin_client, whatsapp_enabled=None, clear_auth_token="on")
        assert not ChatChannelSettings.load().has_auth_token

    def test_removing_the_token_is_refused_while_whatsapp_is_on(self, admin_client, chat_settings):
        response = post(admin_client, clear_auth_token="on")
        assert "needs the Auth Token" in field_errors(response.content.decode(), "auth_token")
        assert ChatChannelSettings.load().get_auth_token() == AUTH_TOKEN

    def test_removing_and_typing_a_token_at_once_is_refused(self, admin_client, chat_settings):
        response = post(admin_client, clear_auth_token="on", auth_token=OTHER_TOKEN)
        assert "not both" in field_errors(response.content.decode(), "clear_auth_token")
        assert ChatChannelSettings.load().get_auth_token() == AUTH_TOKEN

    def test_changing_the_credentials_forgets_the_previous_verification(
        self, admin_client, chat_settings, fake_twilio
    ):
        post(admin_client, action="verify")
        assert ChatChannelSettings.load().verification_ok is True
        post(admin_client, auth_token=OTHER_TOKEN)
        config = ChatChannelSettings.load()
        assert config.verification_ok is None and config.verified_at is None

    def test_the_page_says_a_token_is_stored_without_showing_it(self, admin_client, chat_settings):
        html = admin_client.get(URL).content.decode()
        assert "An Auth Token is stored" in html
        assert AUTH_TOKEN not in html and chat_settings.auth_token_encrypted not in html


class TestVerifyAccount:
    def test_typed_credentials_that_work_are_verified_and_saved(self, admin_client, fake_twilio):
        response = post(admin_client, action="verify", auth_token=AUTH_TOKEN)
        assert response.status_code == 302
        page = admin_client.get(response["Location"]).content.decode()
        assert "Account verified: OCC Test, status active." in page
        config = ChatChannelSettings.load()
        assert config.get_auth_token() == AUTH_TOKEN and config.whatsapp_enabled
        assert config.verification_ok is True and config.verified_at is not None
        assert "OCC Test" in config.verification_message
        assert fake_twilio.requests[-1]["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"

    def test_the_stored_token_is_used_when_the_field_is_blank(
        self, admin_client, chat_settings, fake_twilio
    ):
        response = post(admin_client, action="verify", auth_token="")
        assert response.status_code == 302
        assert ChatChannelSettings.load().verification_ok is True

    def test_a_wrong_token_is_a_plain_message_and_saves_nothing(
        self, admin_client, chat_settings, fake_twilio
    ):
        response = post(admin_client, action="verify", auth_token="wrong-token-000")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'id="verification-result"' in html and "20003" in html
        assert "Nothing was saved" in html
        config = ChatChannelSettings.load()
        assert config.get_auth_token() == AUTH_TOKEN
        assert config.verification_ok is None  # the stored credentials were not the ones tested

    def test_stored_credentials_that_fail_are_recorded(
        self, admin_client, chat_settings, fake_twilio
    ):
        fake_twilio.accounts[ACCOUNT_SID].auth_token = "rotated-on-twilio"
        response = post(admin_client, action="verify")
        assert response.status_code == 200 and "20003" in response.content.decode()
        config = ChatChannelSettings.load()
        assert config.verification_ok is False and "20003" in config.verification_message

    @pytest.mark.parametrize("status", ["suspended", "closed"])
    def test_an_inactive_account_is_reported(
        self, admin_client, chat_settings, fake_twilio, status
    ):
        fake_twilio.accounts[ACCOUNT_SID].status = status
        response = post(admin_client, action="verify")
        assert response.status_code == 200
        assert f"is {status}" in response.content.decode()
        assert ChatChannelSettings.load().verification_ok is False

    def test_a_timeout_is_a_plain_message_not_a_page_error(
        self, admin_client, chat_settings, settings
    ):
        class Slow(BaseHTTPRequestHandler):
            def do_GET(self):
                time.sleep(2)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
            settings.TWILIO_TIMEOUT_SECONDS = 0.3
            response = post(admin_client, action="verify", auth_token=OTHER_TOKEN)
        finally:
            server.shutdown()
        assert response.status_code == 200
        html = response.content.decode()
        assert "could not be reached" in html and "timeout" in html
        assert ChatChannelSettings.load().get_auth_token() == AUTH_TOKEN

    def test_a_refused_connection_is_a_plain_message(self, admin_client, chat_settings, settings):
        settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"
        response = post(admin_client, action="verify")
        assert response.status_code == 200 and "could not be reached" in response.content.decode()
        assert ChatChannelSettings.load().verification_ok is False

    def test_verify_without_a_token_asks_for_one(self, admin_client, fake_twilio):
        response = post(admin_client, action="verify", whatsapp_enabled=None, auth_token="")
        assert response.status_code == 200
        assert "needs the Account SID and the Auth Token" in response.content.decode()
        assert fake_twilio.requests == []

    def test_a_bad_sid_is_not_sent_to_twilio(self, admin_client, fake_twilio):
        response = post(admin_client, action="verify", account_sid="AC123", auth_token=AUTH_TOKEN)
        assert "hexadecimal" in field_errors(response.content.decode(), "account_sid")
        assert fake_twilio.requests == []


class TestPageContent:
    def test_webhook_urls_and_health_links_are_shown(self, admin_client, service):
        html = admin_client.get(URL).content.decode()
        assert "http://testserver/whatsapp/twilio/inbound" in html
        assert "http://testserver/whatsapp/twilio/status" in html
        assert reverse("whatsapp:health", args=[service.pk]) in html

    def test_webhook_urls_follow_the_public_base_url(self, admin_client, settings, chat_settings):
        settings.OCC_PUBLIC_BASE_URL = "https://occ.example.com"
        html = admin_client.get(URL).content.decode()
        assert "https://occ.example.com/whatsapp/twilio/inbound" in html


class TestUnreadableAnswer:
    def test_an_answer_that_is_not_twilio_json_is_a_plain_message(
        self, admin_client, chat_settings, settings
    ):
        class Garbage(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"<html>captive portal</html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Garbage)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
            response = post(admin_client, action="verify")
        finally:
            server.shutdown()
        assert response.status_code == 200
        assert "unexpected error" in response.content.decode()
        assert ChatChannelSettings.load().verification_ok is False
