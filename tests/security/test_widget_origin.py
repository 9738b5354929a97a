"""The widget's public endpoints: spoofed or foreign origins get no configuration; bad input no 5xx.

The origin check is a courtesy, not a secret (any script can send any
Origin header): what matters is that a foreign page gets nothing to show,
that nothing private is ever in these answers, and that no cookie is set.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.conftest import AUTH_TOKEN, SERVICE_NUMBER
from widgets.models import WidgetVisit

pytestmark = pytest.mark.django_db

FUZZ = hsettings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def config_url(world) -> str:
    return reverse("widgets:config", args=[world["widget"].public_key])


def test_the_allowed_origin_gets_the_configuration(world):
    response = Client().get(config_url(world), HTTP_ORIGIN="https://shop.example")
    assert response.status_code == 200
    assert response.json()["channels"][0]["number"] == SERVICE_NUMBER
    assert response["Access-Control-Allow-Origin"] == "https://shop.example"


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "https://shop.example.evil.example"},
        {"HTTP_ORIGIN": "http://shop.example"},
        {"HTTP_ORIGIN": "https://shop.example:8443"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://evil.example/page?https://shop.example"},
    ],
)
def test_a_spoofed_or_foreign_origin_gets_no_configuration(world, headers):
    response = Client().get(config_url(world), **headers)
    assert response.status_code in {403, 404}
    assert SERVICE_NUMBER.lstrip("+") not in response.content.decode()


def test_a_foreign_origin_cannot_record_visits(world):
    url = reverse("widgets:visits", args=[world["widget"].public_key])
    response = Client().post(
        url, {"page_url": "https://evil.example/"}, HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code in {403, 404}
    assert not WidgetVisit.objects.exists()


def test_public_widget_answers_set_no_cookie_and_hold_no_secret(world):
    client = Client()
    key = world["widget"].public_key
    for url in (
        reverse("widgets:embed"),
        reverse("widgets:config", args=[key]),
        reverse("widgets:qr_svg", args=[key]),
        reverse("widgets:qr_png", args=[key]),
    ):
        response = client.get(url, HTTP_ORIGIN="https://shop.example")
        assert response.status_code == 200, url
        assert not response.cookies, f"{url} set a cookie"
        assert AUTH_TOKEN.encode() not in response.content


@FUZZ
@given(
    key=st.text(max_size=40),
    origin=st.text(max_size=60),
    referer=st.text(max_size=60),
    page=st.text(max_size=300),
)
def test_widget_endpoints_never_fail_on_any_key_origin_or_page(world, key, origin, referer, page):
    client = Client()
    safe_key = key.replace("/", "").replace("\x00", "") or "x"
    headers = {"HTTP_ORIGIN": origin, "HTTP_REFERER": referer}
    for name in ("widgets:config", "widgets:qr_svg", "widgets:qr_png"):
        try:
            url = reverse(name, args=[safe_key])
        except Exception:
            continue
        assert client.get(url, **headers).status_code in {200, 304, 403, 404}
    try:
        visits = reverse("widgets:visits", args=[safe_key])
    except Exception:
        return
    # 429: the visits rate limit (widgets.limits), reached by this many examples.
    assert client.post(visits, {"page_url": page}, **headers).status_code in {
        201,
        400,
        403,
        404,
        429,
    }
    real = reverse("widgets:visits", args=[world["widget"].public_key])
    assert client.post(
        real, {"page_url": page}, HTTP_ORIGIN="https://shop.example"
    ).status_code in {201, 400, 429}
