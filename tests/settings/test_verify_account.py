"""Verify account against the fake Twilio, over real HTTP."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from whatsapp import gateway


def test_right_credentials_show_the_account(fake_twilio):
    check = gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN)
    assert check.ok and check.friendly_name == "OCC Test" and check.status == "active"
    assert fake_twilio.requests[-1]["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}.json"


def test_wrong_token_is_a_plain_credentials_message(fake_twilio):
    check = gateway.verify_account(ACCOUNT_SID, "wrong")
    assert not check.ok and check.kind == "credentials" and "20003" in check.message


def test_suspended_account_is_reported(fake_twilio):
    fake_twilio.accounts[ACCOUNT_SID].status = "suspended"
    check = gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN)
    assert not check.ok and check.kind == "suspended"


def test_timeout_is_a_plain_network_message(settings):
    class Slow(BaseHTTPRequestHandler):
        def do_GET(self):
            time.sleep(3)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TWILIO_API_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.TWILIO_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    check = gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN)
    assert time.monotonic() - started < 2.5
    assert not check.ok and check.kind == "network"
    server.shutdown()


def test_refused_connection_is_a_plain_network_message(settings):
    settings.TWILIO_API_BASE_URL = "http://127.0.0.1:9"
    check = gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN)
    assert not check.ok and check.kind == "network"


def test_a_20403_says_what_twilio_refused_and_what_to_do(fake_twilio):
    """Twilio answers HTTP 403 with code 20403 for a suspended account or credentials without permission."""
    fake_twilio.accounts[ACCOUNT_SID].access_denied = True
    check = gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN)
    assert not check.ok and check.kind == "forbidden"
    from whatsapp.channel_settings_actions import verify_credentials

    result = verify_credentials(ACCOUNT_SID, AUTH_TOKEN)
    assert result.kind == "forbidden"
    assert "20403" in result.message and "Twilio console" in result.message
    assert "try again later" not in result.message


def test_the_fake_answers_20403_as_twilio_documents_it(fake_twilio):
    from twilio.base.exceptions import TwilioRestException

    fake_twilio.accounts[ACCOUNT_SID].access_denied = True
    try:
        gateway.client(ACCOUNT_SID, AUTH_TOKEN).api.v2010.accounts(ACCOUNT_SID).fetch()
    except TwilioRestException as exc:
        assert (exc.status, exc.code) == (403, 20403)
    else:
        raise AssertionError("no 20403")


def test_a_20403_is_explained_in_italian_on_the_console(fake_twilio, admin_client, chat_settings):
    fake_twilio.accounts[ACCOUNT_SID].access_denied = True
    response = admin_client.post(
        "/settings/advanced/chat-channel/",
        {"account_sid": ACCOUNT_SID, "whatsapp_enabled": "on", "action": "verify"},
        HTTP_ACCEPT_LANGUAGE="it",
        follow=True,
    )
    page = response.content.decode()
    assert "20403" in page and "console di Twilio" in page


def test_a_20403_through_the_api_is_kind_forbidden(fake_twilio, admin_user, chat_settings):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    fake_twilio.accounts[ACCOUNT_SID].access_denied = True
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=admin_user).key}")
    answer = api.post("/api/v1/settings/chat-channel/verify/", {}, format="json").json()
    assert answer["kind"] == "forbidden" and "20403" in answer["message"]


def test_a_send_refused_with_20403_is_described_with_what_to_do():
    from whatsapp.errors import describe_twilio_error

    what, fix = describe_twilio_error(20403)
    assert "permission" in what and "Twilio console" in fix
