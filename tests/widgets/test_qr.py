"""The QR endpoints: what the code says (read back by zxing-cpp), caching, and refusals."""

from __future__ import annotations

import threading

import pytest

from services.models import Service
from tests.widgets.conftest import decode_qr
from widgets import qr
from widgets.models import Widget

pytestmark = pytest.mark.django_db


def png_url(widget):
    return f"/widget/{widget.public_key}/qr.png"


def svg_url(widget):
    return f"/widget/{widget.public_key}/qr.svg"


@pytest.mark.parametrize(
    ("typed_number", "digits"),
    [
        ("+39 02 1234 5678", "390212345678"),
        ("0039 0212345678", "390212345678"),
        ("+1 (415)555.0100", "14155550100"),
        ("+44 20-7946-0958", "442079460958"),
    ],
)
@pytest.mark.parametrize(
    ("text", "encoded"),
    [
        ("", ""),
        ("Hello", "?text=Hello"),
        (
            "Ciao! Vorrei info sull'ordine #42 & più: 50%?",
            "?text=Ciao%21%20Vorrei%20info%20sull%27ordine%20%2342%20%26%20pi%C3%B9%3A%2050%25%3F",
        ),
    ],
)
def test_png_encodes_exactly_the_wa_me_link(
    client, widget, service, typed_number, digits, text, encoded
):
    # The number as an administrator may type it, through the model's own validation.
    service.twilio_number = typed_number
    service.full_clean()
    service.save()
    Widget.objects.filter(pk=widget.pk).update(prefilled_text=text)
    response = client.get(png_url(widget))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert decode_qr(response.content) == f"https://wa.me/{digits}{encoded}"


def test_png_is_large_enough_for_a_phone_camera(client, widget):
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(client.get(png_url(widget)).content))
    assert image.size[0] == image.size[1] >= 250


def test_svg_is_an_svg_of_the_same_content(client, widget):
    response = client.get(svg_url(widget))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.lstrip().startswith(b"<?xml") and b"<svg" in response.content
    assert response["ETag"] == f'"{qr.content_hash("https://wa.me/390212345678", "svg")}"'


def test_etag_answers_304_without_a_body(client, widget):
    first = client.get(png_url(widget))
    etag = first["ETag"]
    again = client.get(png_url(widget), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    other = client.get(png_url(widget), HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_plain_url_is_revalidated_and_versioned_url_is_immutable(client, widget):
    plain = client.get(png_url(widget))
    assert "no-cache" in plain["Cache-Control"]
    digest = plain["ETag"].strip('"')
    versioned = client.get(png_url(widget) + f"?h={digest}")
    assert "immutable" in versioned["Cache-Control"]
    stale = client.get(png_url(widget) + "?h=0000")
    assert "no-cache" in stale["Cache-Control"]
    assert stale.content == plain.content


def test_changing_the_number_or_text_changes_the_image_at_once(client, widget, service):
    before = client.get(png_url(widget))
    service.twilio_number = "+14155550100"
    service.save()
    after = client.get(png_url(widget), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert decode_qr(after.content) == "https://wa.me/14155550100"
    widget.prefilled_text = "Hi"
    widget.save()
    text = client.get(png_url(widget), HTTP_IF_NONE_MATCH=after["ETag"])
    assert text.status_code == 200
    assert decode_qr(text.content) == "https://wa.me/14155550100?text=Hi"


def test_repeated_requests_do_not_render_again(client, widget, monkeypatch):
    calls = []
    real = qr.render_uncached
    monkeypatch.setattr(
        qr, "render_uncached", lambda payload, fmt: calls.append(fmt) or real(payload, fmt)
    )
    qr.clear_cache()
    bodies = {client.get(png_url(widget)).content for _ in range(5)}
    bodies |= {client.get(svg_url(widget)).content for _ in range(5)}
    etag = client.get(png_url(widget))["ETag"]
    assert client.get(png_url(widget), HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert calls == ["png", "svg"]
    assert len(bodies) == 2
    assert (qr.cache_info().misses, qr.cache_info().hits) == (2, 9)  # the 304 needed neither


def test_simultaneous_first_requests_render_once(monkeypatch):
    """A cold worker hit by many threads at once renders each image once."""
    calls = []
    barrier = threading.Barrier(8)
    release = threading.Event()
    real = qr.render_uncached

    def slow_render(payload, fmt):
        calls.append(fmt)
        release.wait(5)  # hold the first rendering until every thread has asked
        return real(payload, fmt)

    monkeypatch.setattr(qr, "render_uncached", slow_render)
    qr.clear_cache()
    results = []

    def ask():
        barrier.wait()
        results.append(qr.render("https://wa.me/390212345678", "png"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    while not calls:
        threading.Event().wait(0.01)
    release.set()
    for thread in threads:
        thread.join(10)
    assert calls == ["png"]
    assert len(results) == 8 and len({body for body, _digest in results}) == 1


def test_qr_sets_no_cookie_and_allows_cross_origin_use(client, widget):
    response = client.get(png_url(widget), HTTP_ORIGIN="https://shop.example.com")
    assert not response.cookies
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


class TestRefusals:
    def test_unknown_key(self, client, db):
        for path in ("/widget/nope/qr.png", "/widget/nope/qr.svg", "/widget/nope/config.json"):
            response = client.get(path)
            assert response.status_code == 404
            assert response["Content-Type"] == "application/json"
            assert "error" in response.json()

    def test_widget_not_in_use(self, client, widget):
        Widget.objects.filter(pk=widget.pk).update(in_use=False)
        assert client.get(png_url(widget)).status_code == 404

    def test_widget_without_whatsapp_service(self, client, widget):
        Widget.objects.filter(pk=widget.pk).update(whatsapp_service=None)
        response = client.get(svg_url(widget))
        assert response.status_code == 404
        assert response.json()["error"]

    def test_service_no_longer_ready_for_whatsapp(self, client, widget, service):
        Service.objects.filter(pk=service.pk).update(whatsapp_enabled=False)
        assert client.get(png_url(widget)).status_code == 404

    def test_unknown_visit_reference(self, client, widget):
        assert client.get(png_url(widget) + "?ref=ABCDEF12").status_code == 404

    def test_other_methods(self, client, widget):
        assert client.post(png_url(widget)).status_code == 405
