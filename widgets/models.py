"""Website widgets that lead visitors to a service's WhatsApp."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from widgets.colours import DEFAULT_COLOUR


def new_public_key() -> str:
    return secrets.token_urlsafe(12)


def new_ref_code() -> str:
    return secrets.token_hex(4).upper()


class Widget(models.Model):
    name = models.CharField(_("name"), max_length=100)
    public_key = models.CharField(
        max_length=32, unique=True, default=new_public_key, editable=False
    )
    in_use = models.BooleanField(_("in use"), default=True)
    allowed_origins = models.TextField(
        _("allowed website origins"),
        blank=True,
        help_text=_("One per line, e.g. https://www.example.com. Empty: any website."),
    )
    whatsapp_service = models.ForeignKey(
        "services.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="widgets",
        verbose_name=_("WhatsApp service"),
    )
    # May hold line breaks: WhatsApp keeps them in the pre-filled message.
    prefilled_text = models.TextField(_("pre-filled first message"), max_length=300, blank=True)
    attribution_enabled = models.BooleanField(
        _("attribute conversations to widget visits"), default=False
    )
    # How the widget looks on the website (texts empty: the translated defaults).
    colour = models.CharField(_("colour"), max_length=7, default=DEFAULT_COLOUR)
    position = models.CharField(
        _("position"),
        max_length=5,
        choices=[("right", _("Bottom right")), ("left", _("Bottom left"))],
        default="right",
    )
    launcher_text = models.CharField(_("button text"), max_length=40, blank=True)
    title_text = models.CharField(_("panel title"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("widget")
        verbose_name_plural = _("widgets")

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        return [
            line.strip().rstrip("/") for line in self.allowed_origins.splitlines() if line.strip()
        ]


class WidgetVisit(models.Model):
    """A widget visit that opened WhatsApp, and the conversation it became."""

    widget = models.ForeignKey(Widget, on_delete=models.CASCADE, related_name="visits")
    ref_code = models.CharField(max_length=16, unique=True, default=new_ref_code)
    page_url = models.URLField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    opened_whatsapp_at = models.DateTimeField(null=True, blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="widget_visits",
    )
    matched_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.ref_code
