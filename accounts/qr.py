"""The enrolment QR code (the otpauth:// URI), rendered on the server as inline SVG.

Inline SVG needs no script and no style attribute, so the page keeps the
Content-Security-Policy; the secret is shown as text too, for typing.
"""

from __future__ import annotations

import io
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from qrcode.constants import ERROR_CORRECT_M


def svg(payload: str, label: str) -> SafeString:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    text = buffer.getvalue().decode()
    # Drop the XML declaration; the markup is qrcode's own (no user text in it).
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[1]
    label = escape(label)
    return mark_safe(text.replace("<svg ", f'<svg class="qr" role="img" aria-label="{label}" ', 1))  # noqa: S308


def spaced_secret(device) -> str:
    """The base32 secret in groups of four, as authenticator apps accept it typed."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
