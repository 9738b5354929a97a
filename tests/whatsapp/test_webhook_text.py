"""Signed webhooks with characters no header or database can hold: 200 or 400, never a 500 or a dropped connection.

The health-check field is echoed in a response header (whatsapp.health):
CR/LF there was a 500 (Django refuses the header), and any other control
character made uvicorn close the connection without an answer (it refuses
to send such a header value after the response has started). Both are
checked against a real uvicorn, with each of its HTTP implementations.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlencode

import pytest
import requests
from twilio.request_validator import RequestValidator

from interactions.models import Contact, Message
from tests.conftest import AUTH_TOKEN, load_payload
from tests.whatsapp.conftest import INBOUND, STATUS
from whatsapp.parsing import InvalidWebhook, parse_inbound, parse_status

BAD_NONCES = ["abc\r\ndef", "abc\ndef", "abc\x01def", "abc\x7fdef", "x" * 65, "abc def", "é"]


@pytest.fixture
def uvicorn_server(request):
    """occ.asgi on a real uvicorn in a thread: (base URL); the HTTP implementation is the parameter."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        "occ.asgi:application",
        host="127.0.0.1",
        port=port,
        http=request.param,
        lifespan="off",
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _signed_post(base: str, path: str, params: dict) -> requests.Response:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(base + path, params)
    return requests.post(
        base + path,
        data=urlencode(params),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        },
        timeout=20,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("uvicorn_server", ["httptools", "h11"], indirect=True)
@pytest.mark.parametrize("nonce", ["abc\r\ndef", "abc\x01def", "abc\x7fdef"])
def test_a_health_check_nonce_with_control_characters_is_a_400_over_real_http(
    uvicorn_server, service, nonce
):
    payload = load_payload("inbound_text", OccHealthCheck=nonce)
    response = _signed_post(uvicorn_server, INBOUND, payload)  # a dropped connection raises here
    assert response.status_code == 400
    assert "X-OCC-Health-Check" not in response.headers
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("uvicorn_server", ["httptools"], indirect=True)
def test_a_real_health_check_still_echoes_its_nonce_over_real_http(uvicorn_server, service):
    response = _signed_post(
        uvicorn_server, INBOUND, load_payload("inbound_text", OccHealthCheck="0123abcd" * 2)
    )
    assert response.status_code == 200
    assert response.headers["X-OCC-Health-Check"] == "0123abcd" * 2
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("uvicorn_server", ["httptools"], indirect=True)
def test_the_lean_path_never_sends_a_header_uvicorn_would_refuse(
    uvicorn_server, service, monkeypatch
):
    """A safety net: whatever a webhook view puts in a header, the answer arrives (the value cleaned)."""
    from whatsapp import views

    original = views.twiml_ok

    def leaky():
        response = original()
        response["X-Leak"] = "a\x01b\x7fc"
        return response

    monkeypatch.setattr(views, "twiml_ok", leaky)
    response = _signed_post(uvicorn_server, INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200
    assert response.headers["X-Leak"] == "a b c"


@pytest.mark.parametrize("nonce", BAD_NONCES)
def test_a_malformed_health_check_field_is_refused_by_the_parser(nonce):
    with pytest.raises(InvalidWebhook, match="OccHealthCheck"):
        parse_inbound(load_payload("inbound_text", OccHealthCheck=nonce))


def test_lone_surrogates_and_nul_are_kept_as_replacement_characters():
    """What Twilio sends is a customer's message: kept, cleaned, never refused."""
    form = load_payload(
        "inbound_text", Body="hi \ud800 there\x00", ProfileName="Ma\udfffria", Extra="\ud83d"
    )
    parsed = parse_inbound(form)
    assert parsed.body == "hi \ufffd there"
    assert parsed.profile_name == "Ma\ufffdria"
    assert parsed.payload["Extra"] == "\ufffd"
    json.dumps(parsed.payload, ensure_ascii=False).encode(
        "utf-8"
    )  # storable: no lone surrogate left
    status = parse_status(
        {"MessageSid": "SM" + "a" * 32, "MessageStatus": "failed", "ErrorMessage": "e\ud800"}
    )
    assert status.error_message == "e\ufffd"


@pytest.mark.django_db
@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f", "\x85", "\u2028", "\r\n"])
def test_a_signed_webhook_with_control_characters_is_stored_whole(
    signed_post, service, agent, character
):
    payload = load_payload("inbound_text", Body=f"a{character}b", ProfileName=f"Ma{character}ria")
    assert signed_post(INBOUND, payload).status_code == 200
    assert Message.objects.get().body == f"a{character}b"
    assert Contact.objects.get().name


@pytest.mark.django_db
def test_a_signed_status_callback_with_control_characters_is_a_200(signed_post, outbound_message):
    payload = {
        "MessageSid": outbound_message.provider_id,
        "MessageStatus": "failed",
        "ErrorCode": "6\x0130",
        "ErrorMessage": "a\x00\r\nb",
    }
    assert signed_post(STATUS, payload).status_code == 200
    outbound_message.refresh_from_db()
    assert outbound_message.status == "failed" and "\x00" not in outbound_message.error_message
