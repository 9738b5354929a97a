"""Webhooks take the lean ASGI path; pages keep the full middleware stack."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from twilio.request_validator import RequestValidator

from interactions.actions import inbound as inbound_actions
from interactions.models import Message
from tests.conftest import AUTH_TOKEN, load_payload

pytestmark = pytest.mark.django_db(transaction=True)

INBOUND = "/whatsapp/twilio/inbound"


def _signed(params: dict, token: str = AUTH_TOKEN) -> tuple[bytes, list]:
    signature = RequestValidator(token).compute_signature("http://testserver" + INBOUND, params)
    headers = [
        (b"host", b"testserver"),
        (b"content-type", b"application/x-www-form-urlencoded"),
        (b"x-twilio-signature", signature.encode()),
    ]
    return urlencode(params).encode(), headers


def _post(params: dict, token: str = AUTH_TOKEN) -> dict:
    from occ.asgi import application

    body, headers = _signed(params, token)
    return async_to_sync(
        HttpCommunicator(application, "POST", INBOUND, body=body, headers=headers).get_response
    )(timeout=30)


def _header_names(response: dict) -> set[str]:
    return {name.decode().lower() for name, _value in response["headers"]}


def test_webhook_is_stored_without_session_or_frame_headers(service, agent):
    response = _post(load_payload("inbound_text"))
    assert response["status"] == 200
    assert b"<Response/>" in response["body"]
    assert Message.objects.filter(direction="in").count() == 1
    # No session, CSRF or clickjacking middleware ran on the webhook.
    assert not {"set-cookie", "x-frame-options", "vary"} & _header_names(response)


def test_pages_keep_the_full_middleware_stack(db):
    from occ.asgi import application

    response = async_to_sync(
        HttpCommunicator(
            application, "GET", "/accounts/login/", headers=[(b"host", b"testserver")]
        ).get_response
    )(timeout=30)
    assert response["status"] == 200
    assert "x-frame-options" in _header_names(response)


def test_a_database_failure_on_the_lean_path_is_a_503(service, agent, monkeypatch):
    """No session or CSRF middleware, but a database outage is still a 503, never a 200 or a 403."""
    from django.db import OperationalError

    def fail(*args, **kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(inbound_actions, "receive_inbound", fail)
    response = _post(load_payload("inbound_text"))
    assert response["status"] == 503
    assert dict(response["headers"]).get(b"Retry-After") == b"30"
    assert Message.objects.count() == 0
