"""QR codes of click-to-chat links, rendered once per content and kept in memory.

The rendered bytes are cached by a hash of what they encode, so a popular
widget costs one rendering per process, not one per request; a new number or
text is a new hash and therefore a new image at once.
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M

# 10 px per module and the standard 4-module quiet zone: a 33-41 module code
# becomes a 410-490 px PNG, comfortably read by phone cameras from a screen
# or from print. Medium error correction survives glare and small prints.
BOX_SIZE = 10
BORDER = 4
# Bump when the rendering changes, so browsers holding an ETag re-fetch.
RENDER_VERSION = "1"

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def content_hash(payload: str, fmt: str) -> str:
    """A stable hash of one rendering: it names the bytes (ETag, cache key)."""
    key = f"{RENDER_VERSION}|{fmt}|{BOX_SIZE}|{BORDER}|{payload}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def _qr(payload: str) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX_SIZE, border=BORDER)
    code.add_data(payload)
    code.make(fit=True)
    return code


def render_uncached(payload: str, fmt: str) -> bytes:
    """Render `payload` as `fmt` ("svg" or "png"); used by the cache below and the benchmark."""
    code = _qr(payload)
    buffer = io.BytesIO()
    if fmt == "png":
        code.make_image(fill_color="black", back_color="white").save(buffer, format="PNG", optimize=True)
    elif fmt == "svg":
        # A single path with a white background: small, crisp at any size, and
        # readable on dark host pages.
        code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    else:
        raise ValueError(f"unknown QR format {fmt!r}")
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def _render_cached(digest: str, payload: str, fmt: str) -> bytes:
    return render_uncached(payload, fmt)


def render(payload: str, fmt: str) -> tuple[bytes, str]:
    """The image bytes and their content hash; rendered at most once per process and content."""
    digest = content_hash(payload, fmt)
    return _render_cached(digest, payload, fmt), digest


def cache_info():
    return _render_cached.cache_info()
