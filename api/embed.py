"""The HTML a website pastes to show a widget.

The same line Settings → Widget shows (widgets.views), built from the
widget's public key and the embed script's URL.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import format_html


def embed_snippet(widget, base_url: str) -> str:
    return str(
        format_html(
            '<script src="{}{}" data-occ-widget="{}" async></script>',
            base_url.rstrip("/"),
            reverse("widgets:embed"),
            widget.public_key,
        )
    )
