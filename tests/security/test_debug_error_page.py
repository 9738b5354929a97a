"""With DEBUG on (scripts/run.sh's default), Django's error page shows no secret.

The technical 500 page lists every frame's local variables, the settings,
the request's headers and POST data. Here a reply is sent while the fake
Twilio answers something the twilio client cannot read, so the exception is
raised deep inside the client, with the decrypted Auth Token in the local
variables of the frames above it; the page is rendered exactly as Django's
handler renders it with DEBUG on.
"""

from __future__ import annotations

import base64
import secrets
import sys

import pytest
from django.test import RequestFactory
from django.views.debug import technical_500_response

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN

pytestmark = pytest.mark.django_db

# Random, so that the page's source excerpts of this very file cannot show them.
API_TOKEN = secrets.token_hex(20)
FORM_PASSWORD = secrets.token_urlsafe(12)
DATABASE_PASSWORD = secrets.token_urlsafe(12)
ENCRYPTION_KEY = secrets.token_urlsafe(24)


def error_page(request, call) -> str:
    try:
        call()
    except Exception:
        return technical_500_response(request, *sys.exc_info()).content.decode()
    pytest.fail("the call was meant to raise")


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.OCC_ENCRYPTION_KEY = ENCRYPTION_KEY
    settings.DATABASE_URL = f"postgresql://occ:{DATABASE_PASSWORD}@db.internal:5432/occ"
    return settings


def a_request():
    return RequestFactory().post(
        "/api/v1/interactions/1/messages/",
        {"body": "hello", "password": FORM_PASSWORD, "auth_token": AUTH_TOKEN},
        HTTP_AUTHORIZATION=f"Token {API_TOKEN}",
    )


def assert_no_secret(page: str, settings) -> None:
    basic = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    for name, value in {
        "the Auth Token": AUTH_TOKEN,
        "the Auth Token as HTTP basic credentials": basic,
        "an API token": API_TOKEN,
        "a typed password": FORM_PASSWORD,
        "SECRET_KEY": settings.SECRET_KEY,
        "OCC_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "the database password": DATABASE_PASSWORD,
    }.items():
        assert value not in page, f"the DEBUG error page shows {name}"


def test_an_error_inside_the_twilio_client_shows_no_auth_token(
    debug_on, world, fake_twilio, monkeypatch
):
    from whatsapp.transport import TwilioWhatsAppTransport

    # An answer the twilio client cannot parse: it raises from inside the client.
    monkeypatch.setattr(
        fake_twilio, "handle", lambda *args: (201, b"<html>not json</html>", "text/html")
    )
    page = error_page(a_request(), lambda: TwilioWhatsAppTransport().send(world["message"]))
    assert (
        "Traceback" in page and "JSONDecodeError" in page
    )  # the page is the real one, frames and all
    assert "transport.py" in page and "twilio" in page
    assert_no_secret(page, debug_on)
    # What helps to debug stays: the message's own text, the URL, the exception.
    assert "/api/v1/interactions/1/messages/" in page


def test_an_error_while_verifying_typed_credentials_shows_no_auth_token(
    debug_on, chat_settings, monkeypatch
):
    from whatsapp import gateway

    def fail(*args, **kwargs):
        raise RuntimeError("the client broke")

    monkeypatch.setattr("twilio.http.http_client.TwilioHttpClient.request", fail)
    page = error_page(a_request(), lambda: gateway.verify_account(ACCOUNT_SID, AUTH_TOKEN))
    assert "the client broke" in page
    assert_no_secret(page, debug_on)


def test_an_error_after_the_stored_token_was_read_shows_no_auth_token(debug_on, chat_settings):
    from whatsapp import gateway

    def use_the_token():
        credentials = gateway.stored_credentials()
        held = {"credentials": credentials, "copy": credentials[1]}
        raise ValueError(f"something else went wrong ({len(held)} values held)")

    page = error_page(a_request(), use_the_token)
    assert "something else went wrong" in page
    assert_no_secret(page, debug_on)
