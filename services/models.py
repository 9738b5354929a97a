"""Services of the contact centre and their channels."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from occ.lib.phone import normalize_e164


class ServiceQuerySet(models.QuerySet):
    def whatsapp_ready(self) -> ServiceQuerySet:
        """Services a WhatsApp message can reach (and a widget can lead to)."""
        return self.filter(
            is_active=True, chat_enabled=True, whatsapp_enabled=True, twilio_number__isnull=False
        ).exclude(twilio_number="")


class Service(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    chat_enabled = models.BooleanField(_("chat channel"), default=False)
    whatsapp_enabled = models.BooleanField(_("WhatsApp"), default=False)
    twilio_number = models.CharField(
        _("Twilio phone number"),
        max_length=16,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The number bought and configured on Twilio, in international format."),
    )
    queue_position_reply = models.BooleanField(
        _("tell waiting customers their place in the queue"), default=False
    )
    # Customer satisfaction: after a close, ask for a score from 1 to 5.
    csat_enabled = models.BooleanField(
        _("ask customers for a satisfaction score after a close"), default=False
    )
    csat_template_sid = models.CharField(
        _("survey template"),
        max_length=34,
        blank=True,
        help_text=_(
            "An approved quick-reply template with the buttons 1–5 (it reaches customers whose 24-hour "
            "window has closed too). Empty: a text message, sent only while the window is open."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from settings.models import ChatChannelSettings

        errors: dict[str, list] = {}
        if self.twilio_number:
            try:
                self.twilio_number = normalize_e164(self.twilio_number)
            except ValidationError as exc:
                errors.setdefault("twilio_number", []).extend(exc.messages)
        else:
            self.twilio_number = None
        if self.whatsapp_enabled:
            if not self.chat_enabled:
                errors.setdefault("whatsapp_enabled", []).append(
                    _("Add the chat channel to the service before enabling WhatsApp on it.")
                )
            if not self.twilio_number and "twilio_number" not in errors:
                errors.setdefault("twilio_number", []).append(
                    _("WhatsApp needs the Twilio phone number of this service.")
                )
            if not ChatChannelSettings.load().whatsapp_enabled:
                errors.setdefault("whatsapp_enabled", []).append(
                    _("Enable WhatsApp first in Settings → Advanced → Chat channel.")
                )
        if self.csat_template_sid:
            from interactions import channels

            if self.csat_template_sid not in {t["sid"] for t in channels.templates()}:
                errors.setdefault("csat_template_sid", []).append(
                    _("Choose an approved template of the Twilio account.")
                )
        if errors:
            raise ValidationError(errors)

    def whatsapp_problems(self, account=None) -> list:
        """Why WhatsApp messages cannot reach this service, in words (empty: they can)."""
        if account is None:
            from settings.models import ChatChannelSettings

            account = ChatChannelSettings.load()
        problems = []
        if not account.whatsapp_enabled:
            problems.append(
                _("WhatsApp is off for the account (Settings → Advanced → Chat channel).")
            )
        elif not account.whatsapp_ready:
            problems.append(_("The account's Twilio Account SID and Auth Token are missing."))
        if not self.is_active:
            problems.append(_("The service is inactive."))
        if not self.chat_enabled:
            problems.append(_("The chat channel is off for the service."))
        if not self.whatsapp_enabled:
            problems.append(_("WhatsApp is off for the service."))
        if not self.twilio_number:
            problems.append(_("The service has no Twilio phone number."))
        return problems

    @property
    def whatsapp_ready(self) -> bool:
        return bool(
            self.is_active and self.chat_enabled and self.whatsapp_enabled and self.twilio_number
        )
