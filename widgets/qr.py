"""QR codes of click-to-chat links, rendered once per content and kept in memory.

The rendered bytes are cached by a hash of what they encode, so a popular
widget costs one rendering per process, not one per request; a new number or
text is a new hash and therefore a new image at once.
"""

from __future__ import annotations

import hashlib
import io
import threading
from dataclasses import dataclass

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
        code.make_image(fill_color="black", back_color="white").save(
            buffer, format="PNG", optimize=True
        )
    elif fmt == "svg":
        # A single path with a white background: small, crisp at any size, and
        # readable on dark host pages.
        code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    else:
        raise ValueError(f"unknown QR format {fmt!r}")
    return buffer.getvalue()


@dataclass
class CacheInfo:
    hits: int = 0
    misses: int = 0


# digest -> rendered bytes, oldest first; a few KB each.
_MAX_ENTRIES = 1024
_rendered: dict[str, bytes] = {}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()
_info = CacheInfo()


def render(payload: str, fmt: str) -> tuple[bytes, str]:
    """The image bytes and their content hash; rendered at most once per process and content.

    Requests arrive on many threads at once (a popular page, a cold worker):
    a lock per content makes the first one render while the others wait for
    its bytes, instead of all rendering the same image.
    """
    digest = content_hash(payload, fmt)
    body = _rendered.get(digest)
    if body is not None:
        _info.hits += 1
        return body, digest
    with _guard:
        lock = _locks.setdefault(digest, threading.Lock())
    with lock:
        body = _rendered.get(digest)
        if body is None:
            body = render_uncached(payload, fmt)
            with _guard:
                _info.misses += 1
                _rendered[digest] = body
                while len(_rendered) > _MAX_ENTRIES:
                    _rendered.pop(next(iter(_rendered)))
                _locks.pop(digest, None)
        else:
            _info.hits += 1
    return body, digest


def cache_info() -> CacheInfo:
    return CacheInfo(_info.hits, _info.misses)


def clear_cache() -> None:
    with _guard:
        _rendered.clear()
        _info.hits = _info.misses = 0
