"""The HTML a website pastes to show a widget (the one place that derives it)."""

from __future__ import annotations

from django.utils.html import format_html


def embed_snippet(widget, base_url: str) -> str:
    """`<script>` tag loading the widget's public embed script from this installation."""
    return str(
        format_html(
            '<script async src="{}/widget/{}/embed.js" data-occ-widget="{}"></script>',
            base_url.rstrip("/"),
            widget.public_key,
            widget.public_key,
        )
    )
