"""Fixtures for the widget tests: a widget in use on the WhatsApp service, and a QR decoder."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image


@pytest.fixture(autouse=True)
def _fresh_visit_counts():
    """The visits rate limit counts in the cache: each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def widget(service):
    from widgets.models import Widget

    return Widget.objects.create(name="Website", in_use=True, whatsapp_service=service)


@pytest.fixture
def attributing_widget(service):
    from widgets.models import Widget

    return Widget.objects.create(
        name="Shop",
        in_use=True,
        whatsapp_service=service,
        prefilled_text="Hello!",
        attribution_enabled=True,
    )


def decode_qr(png: bytes) -> str:
    """The text of the one QR code in a PNG, read by an independent decoder (zxing-cpp)."""
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, f"expected one QR code, found {len(results)}"
    return results[0].text
