"""The account's WhatsApp templates, as Twilio's Content API lists them (synced, never typed in)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Content types that cannot open a business-initiated conversation (FACTS: list
# pickers and locations work only inside the 24-hour window).
IN_SESSION_ONLY_TYPES = {"twilio/list-picker", "twilio/location"}


class ContentTemplate(models.Model):
    """One Content resource (HX…) of the Twilio account, with its WhatsApp approval.

    Written only by `whatsapp.templates.sync_templates` from
    `GET /v1/ContentAndApprovals`: the status and the category are what
    Twilio (and Meta) say, read back on every sync, never assumed. A
    template Twilio no longer lists is kept (old messages name its SID)
    with `removed_at` set, and is not offered.
    """

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        PENDING = "pending", _("Waiting for review")
        RECEIVED = "received", _("Received by WhatsApp")
        REJECTED = "rejected", _("Rejected")
        PAUSED = "paused", _("Paused")
        DISABLED = "disabled", _("Disabled")
        UNSUBMITTED = "unsubmitted", _("Not submitted")

    sid = models.CharField(max_length=34, unique=True)
    friendly_name = models.CharField(_("name"), max_length=200, blank=True)
    # The name WhatsApp knows it by (approval_requests.name).
    whatsapp_name = models.CharField(max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    # Twilio's status text as read; anything but "approved" is not sendable.
    status = models.CharField(_("status"), max_length=32, blank=True)
    category = models.CharField(_("category"), max_length=32, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    # Twilio's `types` object ({"twilio/text": {"body": …}, …}) and `variables` ({"1": "name"}).
    types = models.JSONField(default=dict, blank=True)
    variables = models.JSONField(default=dict, blank=True)
    # The text agents see (the body of the first type that has one) and its quick-reply buttons.
    body = models.TextField(blank=True)
    buttons = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["friendly_name", "sid"]
        verbose_name = _("WhatsApp template")
        verbose_name_plural = _("WhatsApp templates")

    def __str__(self) -> str:
        return self.friendly_name or self.sid

    @property
    def sendable(self) -> bool:
        """Approved by WhatsApp, still listed by Twilio, and able to open a conversation."""
        kinds = set(self.types or {})
        return (
            self.status == self.Status.APPROVED
            and self.removed_at is None
            and bool(kinds - IN_SESSION_ONLY_TYPES)
        )

    def status_label(self) -> str:
        try:
            return str(self.Status(self.status).label)
        except ValueError:
            return self.status or str(_("unknown"))

    def variable_names(self) -> list[str]:
        """The variables in Twilio's order: numbers numerically, then names."""
        names = list(self.variables or {})
        return sorted(names, key=lambda n: (0, int(n), "") if n.isdigit() else (1, 0, n))


class TemplateSync(models.Model):
    """The one row recording the last sync of templates with Twilio (for the console)."""

    at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    message = models.CharField(max_length=300, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("WhatsApp template sync")
        verbose_name_plural = _("WhatsApp template syncs")

    def __str__(self) -> str:
        return str(_("WhatsApp templates"))

    @classmethod
    def load(cls) -> TemplateSync:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj
