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
