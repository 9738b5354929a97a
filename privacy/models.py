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
