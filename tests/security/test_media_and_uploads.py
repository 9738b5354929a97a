"""Customers' media and agents' uploads are served as data, never as content that runs on OCC's origin.

A file reaches a browser from two places: /desk/media/<message>/<index>/
(a customer's attachment fetched from Twilio, or an agent's own upload) and
/desk/files/<token>/<name> (public, for Twilio to fetch a reply's
attachment). Either answers inline only for pictures and sounds a browser
shows as such, everything else as a download, and always with nosniff and
a sandboxing CSP, so that even a file served inline cannot run script.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from interactions import actions
from interactions.models import Message
from tests.conftest import ACCOUNT_SID, CUSTOMER_NUMBER, SERVICE_NUMBER
from tests.whatsapp.conftest import INBOUND

SANDBOX = "sandbox; default-src 'none'"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'pwned\'"><script>alert(1)</script></svg>'
HTML = b"<html><body><script>document.title='pwned';alert(1)</script></body></html>"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.OCC_MEDIA_ROOT = str(tmp_path)
    return tmp_path


def media_path(n: int = 1) -> str:
    return f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{n:032d}/Media/ME{n:032d}"


def customer_sends(signed_post, fake_twilio, settings, content_type: str, data: bytes, *, served_as: str | None = None, n: int = 1):
    """A signed inbound webhook whose one attachment the fake Twilio serves; the stored message."""
    path = media_path(n)
    fake_twilio.add_media(path, served_as or content_type, data)
    params = {
        "MessageSid": f"MM{n:032d}",
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{CUSTOMER_NUMBER}",
        "To": f"whatsapp:{SERVICE_NUMBER}",
        "Body": "",
        "NumMedia": "1",
        "MediaUrl0": settings.TWILIO_API_BASE_URL + path,
        "MediaContentType0": content_type,
    }
    assert signed_post(INBOUND, params).status_code == 200
    return Message.objects.get(provider_id=f"MM{n:032d}")


def assert_inert(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


def assert_download(response):
    assert_inert(response)
    assert response["Content-Disposition"].startswith("attachment;")


# --- finding 1: a customer's SVG ran script on the desk's origin ---------------------


@pytest.mark.django_db(transaction=True)
class TestCustomerMedia:
    def test_a_customers_svg_is_served_as_a_sandboxed_download(self, agent_client, signed_post, fake_twilio, settings):
        message = customer_sends(signed_post, fake_twilio, settings, "image/svg+xml", SVG)
        response = agent_client.get(f"/desk/media/{message.pk}/0/")
        assert response.status_code == 200
        assert response.content == SVG
        assert_download(response)
        assert response["Content-Type"] == "image/svg+xml"

    def test_a_media_content_type_with_cr_lf_is_served_as_an_octet_stream_download(self, agent_client, service, fake_twilio, settings):
        fake_twilio.add_media(media_path(), "application/pdf", b"%PDF-1.4")
        message = actions.receive_inbound(
            service,
            actions.InboundMessage(
                channel="whatsapp",
                address=CUSTOMER_NUMBER,
                provider_id="MM" + "1" * 32,
                attachments=[
                    {"url": settings.TWILIO_API_BASE_URL + media_path(), "content_type": "text/html\r\nSet-Cookie: owned=1"}
                ],
            ),
        ).message
        response = agent_client.get(f"/desk/media/{message.pk}/0/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert "owned" not in str(response.cookies) and "Set-Cookie: owned" not in str(response.serialize_headers())
        assert_download(response)


# --- finding 2: an agent's upload came back as HTML, publicly --------------------------


@pytest.mark.django_db
class TestUploadsAreCheckedByContent:
    @pytest.mark.parametrize(
        ("name", "declared", "data"),
        [
            ("notes.html", "text/plain", HTML),
            ("pic.svg", "image/png", SVG),
            ("page.xhtml", "application/pdf", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'),
        ],
    )
    def test_markup_is_refused_whatever_type_the_browser_declares(self, agent_client, media_root, name, declared, data):
        response = agent_client.post("/desk/upload/", {"file": SimpleUploadedFile(name, data, content_type=declared)})
        assert response.status_code == 400
        assert response.json()["error"]
        assert not [p for p in media_root.rglob("*") if p.is_file()]
