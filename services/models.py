"""Services of the contact centre and their channels."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from occ.lib.phone import normalize_e164


class ServiceQuerySet(models.QuerySet):
    def whatsapp_ready(self) -> ServiceQuerySet:
        """Services a WhatsApp message can reach (and a widget can lead to)."""
        return self.filter(
            is_active=True, chat_enabled=True, whatsapp_enabled=True, twilio_number__isnull=False
        ).exclude(twilio_number="")


class OfflineConversations(models.TextChoices):
    """What happens to the conversations of an agent who stays offline (agents.tasks.release_after_offline)."""

    KEEP = "keep", _("They stay with the agent")
    REQUEUE = "requeue", _("They go back to the queue and are routed afresh")


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
    offline_conversations = models.CharField(
        _("conversations of an agent who stays offline"),
        max_length=10,
        choices=OfflineConversations.choices,
        default=OfflineConversations.KEEP,
    )
    offline_after_minutes = models.PositiveSmallIntegerField(
        _("offline for longer than (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
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
        if errors:
            raise ValidationError(errors)

    @property
    def whatsapp_ready(self) -> bool:
        return bool(
            self.is_active and self.chat_enabled and self.whatsapp_enabled and self.twilio_number
        )
