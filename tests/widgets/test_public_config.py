"""The configuration, the embed script, origin checks, CORS, and no cookies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from widgets.models import Widget, WidgetVisit

pytestmark = pytest.mark.django_db


def config_url(widget):
    return f"/widget/{widget.public_key}/config.json"


def test_configuration_lists_the_whatsapp_channel(client, widget):
    Widget.objects.filter(pk=widget.pk).update(prefilled_text="Ciao & grazie")
    response = client.get(config_url(widget), HTTP_ORIGIN="https://shop.example.com")
    assert response.status_code == 200
    data = response.json()
    (channel,) = data["channels"]
    assert channel["type"] == "whatsapp"
    assert channel["number"] == "+390212345678"
    assert channel["text"] == "Ciao & grazie"
    assert channel["app_link"] == "https://wa.me/390212345678?text=Ciao%20%26%20grazie"
    assert (
        channel["web_link"]
        == "https://web.whatsapp.com/send?phone=390212345678&text=Ciao%20%26%20grazie"
    )
    assert channel["qr_png"].startswith(f"http://testserver/widget/{widget.public_key}/qr.png?h=")
    assert channel["qr_svg"].startswith(f"http://testserver/widget/{widget.public_key}/qr.svg?h=")
    assert data["visits"] is None
    assert data["strings"]["open_web"]


def test_urls_use_the_public_base_url_when_set(client, widget, settings):
    settings.OCC_PUBLIC_BASE_URL = "https://occ.example.com"
    channel = client.get(config_url(widget)).json()["channels"][0]
    assert channel["qr_png"].startswith("https://occ.example.com/widget/")


def test_strings_follow_the_visitors_language(client, widget):
    english = client.get(config_url(widget), HTTP_ACCEPT_LANGUAGE="en")
    italian = client.get(config_url(widget), HTTP_ACCEPT_LANGUAGE="it")
    assert (english["Content-Language"], italian["Content-Language"]) == ("en", "it")
    assert set(english.json()["strings"]) == set(italian.json()["strings"])
    with translation.override("it"):
        title_it = translation.gettext("Chat with us on WhatsApp")
        error_it = translation.gettext("No widget in use with this key and a WhatsApp service.")
    assert english.json()["strings"]["title"] == "Chat with us on WhatsApp" != title_it
    assert italian.json()["strings"]["title"] == title_it
    assert (
        client.get("/widget/nope/config.json", HTTP_ACCEPT_LANGUAGE="it").json()["error"]
        == error_it
    )


def test_configuration_has_an_etag(client, widget):
    first = client.get(config_url(widget))
    assert client.get(config_url(widget), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    Widget.objects.filter(pk=widget.pk).update(prefilled_text="new")
    assert client.get(config_url(widget), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


class TestOrigins:
    @pytest.fixture
    def restricted(self, widget):
        widget.allowed_origins = "https://shop.example.com\nhttp://127.0.0.1:8001"
        widget.save()
        return widget

    def test_any_website_when_the_list_is_empty(self, client, widget):
        response = client.get(config_url(widget), HTTP_ORIGIN="https://anyone.example.org")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_listed_origin_gets_the_configuration_and_its_own_cors_header(self, client, restricted):
        response = client.get(config_url(restricted), HTTP_ORIGIN="https://shop.example.com")
        assert response.status_code == 200
        assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"
        assert "Origin" in response["Vary"]

    def test_origin_is_compared_normalised(self, client, restricted):
        assert (
            client.get(
                config_url(restricted), HTTP_ORIGIN="HTTPS://Shop.Example.com:443"
            ).status_code
            == 200
        )
        assert (
            client.get(config_url(restricted), HTTP_ORIGIN="http://127.0.0.1:8001").status_code
            == 200
        )

    def test_other_origin_gets_no_configuration(self, client, restricted):
        for origin in (
            "https://evil.example.com",
            "http://shop.example.com",
            "http://127.0.0.1:8002",
            "null",
        ):
            response = client.get(config_url(restricted), HTTP_ORIGIN=origin)
            assert response.status_code == 403, origin
            assert "channels" not in response.json()

    def test_referer_is_used_when_there_is_no_origin(self, client, restricted):
        ok = client.get(
            config_url(restricted), HTTP_REFERER="https://shop.example.com/products/1?x=y"
        )
        assert ok.status_code == 200
        refused = client.get(
            config_url(restricted), HTTP_REFERER="https://evil.example.com/shop.example.com"
        )
        assert refused.status_code == 403

    def test_no_origin_at_all_is_refused_when_the_list_is_set(self, client, restricted):
        assert client.get(config_url(restricted)).status_code == 403

    def test_visits_are_checked_too(self, client, restricted):
        Widget.objects.filter(pk=restricted.pk).update(attribution_enabled=True)
        url = f"/widget/{restricted.public_key}/visits"
        assert (
            client.post(
                url,
                {"page_url": "https://evil.example.com/"},
                HTTP_ORIGIN="https://evil.example.com",
            ).status_code
            == 403
        )
        assert (
            client.post(
                url,
                {"page_url": "https://shop.example.com/"},
                HTTP_ORIGIN="https://shop.example.com",
            ).status_code
            == 201
        )
        # A page address on another website is not recorded.
        client.post(
            url, {"page_url": "https://evil.example.com/x"}, HTTP_ORIGIN="https://shop.example.com"
        )
        assert sorted(WidgetVisit.objects.values_list("page_url", flat=True)) == [
            "",
            "https://shop.example.com/",
        ]


class TestPublicResponses:
    def test_no_cookie_is_set_even_for_a_signed_in_administrator(self, admin_client, widget):
        for path in (config_url(widget), "/widget/embed.js", f"/widget/{widget.public_key}/qr.svg"):
            response = admin_client.get(path, HTTP_ORIGIN="https://shop.example.com")
            assert response.status_code == 200
            assert not response.cookies, path
            assert "Cookie" not in response.get("Vary", ""), path

    def test_public_endpoints_may_be_framed_and_svg_runs_nothing(self, client, widget):
        for path in (
            config_url(widget),
            f"/widget/{widget.public_key}/qr.svg",
            f"/widget/{widget.public_key}/qr.png",
        ):
            assert "X-Frame-Options" not in client.get(path), path
        assert client.get("/settings/widgets/").has_header("X-Frame-Options")
        svg = client.get(f"/widget/{widget.public_key}/qr.svg")
        assert svg["Content-Security-Policy"].startswith("default-src 'none'")

    def test_preflight_is_answered(self, client, widget):
        response = client.options(
            config_url(widget),
            HTTP_ORIGIN="https://shop.example.com",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "https://shop.example.com"

    def test_posts_pass_without_a_csrf_token(self, attributing_widget):
        strict = Client(enforce_csrf_checks=True)
        response = strict.post(
            f"/widget/{attributing_widget.public_key}/visits",
            {"page_url": "https://shop.example.com/"},
            HTTP_ORIGIN="https://shop.example.com",
        )
        assert response.status_code == 201
        assert not response.cookies

    def test_embed_script_is_plain_javascript_with_cache_headers(self, client, db):
        response = client.get("/widget/embed.js", HTTP_ORIGIN="https://shop.example.com")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/javascript")
        assert response["Access-Control-Allow-Origin"] == "*"
        assert b"attachShadow" in response.content
        assert len(response.content) < 12_000
        assert (
            client.get("/widget/embed.js", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        )

    def test_errors_are_short_json_with_cors(self, client, db):
        response = client.get(
            "/widget/unknown-key/config.json", HTTP_ORIGIN="https://shop.example.com"
        )
        assert response.status_code == 404
        assert response["Access-Control-Allow-Origin"] == "*"
        assert list(response.json()) == ["error"]
