"""Account-level security settings, invitations, and the sandbox's outbox."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TwoFactorRequirement(models.TextChoices):
    NOBODY = "nobody", _("Nobody (each user chooses)")
    STAFF = "staff", _("Administrators and supervisors")
    EVERYONE = "everyone", _("Everyone")


class SecuritySettings(models.Model):
    """The one row of account-level sign-in settings (Settings → Security)."""

    two_factor_required = models.CharField(
        _("two-factor sign-in required for"),
        max_length=10,
        choices=TwoFactorRequirement.choices,
        default=TwoFactorRequirement.NOBODY,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("security settings")
        verbose_name_plural = _("security settings")

    def __str__(self) -> str:
        return str(_("Security settings"))

    @classmethod
    def load(cls) -> SecuritySettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Invitation(models.Model):
    """The e-mail a user was invited with, and when it was last sent.

    The link itself is not stored: it is a password-reset token
    (django.contrib.auth.tokens), valid for PASSWORD_RESET_TIMEOUT and until
    the user sets a password.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitation"
    )
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_sent_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)
    times_sent = models.PositiveSmallIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.email

    @property
    def pending(self) -> bool:
        return self.accepted_at is None


class OutboxEmail(models.Model):
    """An e-mail the sandbox kept instead of sending (accounts.outbox.OutboxBackend)."""

    sent_at = models.DateTimeField(default=timezone.now, db_index=True)
    from_email = models.CharField(max_length=300)
    to = models.TextField()
    subject = models.CharField(max_length=300)
    body = models.TextField()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("sandbox e-mail")
        verbose_name_plural = _("sandbox outbox")

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
