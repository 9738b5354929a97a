"""The public visits endpoint: rate-limited per (client address, widget), bounded in what it stores."""

from __future__ import annotations

import pytest

from widgets.models import WidgetVisit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mid_window(monkeypatch):
    """The limit counts per fixed minute: keep each test inside one, whenever it runs."""
    import time
    from types import SimpleNamespace

    import widgets.limits

    start = (int(time.time()) // 60) * 60 + 1
    monkeypatch.setattr(widgets.limits, "time", SimpleNamespace(time=lambda: start))


ORIGIN = "https://shop.example.com"


def post_visit(client, widget, page_url=f"{ORIGIN}/p", ip="203.0.113.5", **extra):
    return client.post(
        f"/widget/{widget.public_key}/visits",
        {"page_url": page_url},
        HTTP_ORIGIN=ORIGIN,
        REMOTE_ADDR=ip,
        **extra,
    )


def test_sixty_posts_in_a_row_store_at_most_the_limit(client, attributing_widget, settings):
    settings.OCC_WIDGET_VISITS_PER_MINUTE = 10
    statuses = [post_visit(client, attributing_widget).status_code for _ in range(60)]
    assert statuses == [201] * 10 + [429] * 50
    assert WidgetVisit.objects.count() == 10


def test_a_refusal_says_when_to_come_back_and_stores_nothing(client, attributing_widget, settings):
    settings.OCC_WIDGET_VISITS_PER_MINUTE = 2
    post_visit(client, attributing_widget)
    post_visit(client, attributing_widget)
    refused = post_visit(client, attributing_widget)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["Access-Control-Allow-Origin"], "the host page's script can read the refusal"
    assert "error" in refused.json()
    assert WidgetVisit.objects.count() == 2


def test_the_limit_is_per_address_and_per_widget(client, attributing_widget, service, settings):
    from widgets.models import Widget

    settings.OCC_WIDGET_VISITS_PER_MINUTE = 1
    other_widget = Widget.objects.create(
        name="Other", in_use=True, whatsapp_service=service, attribution_enabled=True
    )
    assert post_visit(client, attributing_widget).status_code == 201
    assert post_visit(client, attributing_widget).status_code == 429
    assert post_visit(client, attributing_widget, ip="198.51.100.1").status_code == 201
    assert post_visit(client, other_widget).status_code == 201


def test_behind_a_trusted_proxy_visitors_are_counted_apart(client, attributing_widget, settings):
    settings.OCC_WIDGET_VISITS_PER_MINUTE = 1
    settings.OCC_TRUSTED_PROXIES = ["10.0.0.5"]
    assert (
        post_visit(
            client, attributing_widget, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.5"
        ).status_code
        == 201
    )
    assert (
        post_visit(
            client, attributing_widget, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1"
        ).status_code
        == 201
    )
    assert (
        post_visit(
            client, attributing_widget, ip="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.5"
        ).status_code
        == 429
    )
    # From anyone else the header is ignored: a new value each time does not dodge the limit.
    assert (
        post_visit(
            client, attributing_widget, ip="192.0.2.7", HTTP_X_FORWARDED_FOR="1.1.1.1"
        ).status_code
        == 201
    )
    assert (
        post_visit(
            client, attributing_widget, ip="192.0.2.7", HTTP_X_FORWARDED_FOR="2.2.2.2"
        ).status_code
        == 429
    )


@pytest.mark.parametrize(
    "page_url",
    [
        ORIGIN + "/" + "a" * 5000,  # longer than the column
        ORIGIN + "/with\x00nul",
        ORIGIN + "/with\r\nnewline",
        "javascript:alert(1)",
    ],
)
def test_a_page_address_that_is_not_a_bounded_web_address_is_not_stored(
    client, attributing_widget, page_url
):
    response = post_visit(client, attributing_widget, page_url=page_url)
    assert response.status_code == 201, "the visit itself still counts"
    assert WidgetVisit.objects.get().page_url == ""
