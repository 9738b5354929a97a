"""The retention policy: how long conversations and their media are kept."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionMode(models.TextChoices):
    DELETE = "delete", _("Delete the conversations")
    ANONYMISE = (
        "anonymise",
        _("Anonymise them (keep the figures, remove the words and the customer)"),
    )


class RetentionPolicy(models.Model):
    """One row (pk 1). Off until an administrator switches it on after seeing a dry run."""

    enabled = models.BooleanField(_("on"), default=False)
    days = models.PositiveIntegerField(
        _("keep for (days)"),
        default=365,
        validators=[MinValueValidator(1), MaxValueValidator(36500)],
        help_text=_("Closed conversations older than this, counted from when they were closed."),
    )
    mode = models.CharField(
        _("then"), max_length=10, choices=RetentionMode.choices, default=RetentionMode.DELETE
    )
    changed_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policy")

    def __str__(self) -> str:
        return f"retention: {'on' if self.enabled else 'off'}, {self.days} days, {self.mode}"

    @classmethod
    def load(cls) -> RetentionPolicy:
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class ProviderErasure(models.Model):
    """Messages of an erased contact still to be deleted at the provider (Twilio), by a task.

    Holds only the provider's ids of the messages and of their media, never
    their content; the row is deleted once every message is gone at the
    provider. Erasures that failed for good stay, with the count of
    attempts, for an administrator to see (Data protection).
    """

    channel = models.CharField(max_length=20)
    # The erased contact's id, for the audit-log entry once the provider has deleted everything.
    contact_id = models.BigIntegerField()
    # [{"id": provider id, "media": [attachment URLs at the provider]}] still to delete.
    items = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the last allowed attempt failed: nothing retries it any more.
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("erasure at the provider")
        verbose_name_plural = _("erasures at the provider")

    def __str__(self) -> str:
        return f"erasure at {self.channel}: {len(self.items)} messages"
