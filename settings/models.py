"""Settings → Advanced → Chat channel: the account-level WhatsApp settings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from occ.lib import crypto
from settings.validators import validate_account_sid


class ChatChannelSettings(models.Model):
    """The one row of account-level chat channel settings.

    The Twilio Auth Token is stored encrypted and is write-only: it leaves the
    database only to authenticate to Twilio.
    """

    whatsapp_enabled = models.BooleanField(_("WhatsApp"), default=False)
    account_sid = models.CharField(
        _("Account SID"), max_length=34, blank=True, validators=[validate_account_sid]
    )
    auth_token_encrypted = models.TextField(blank=True, editable=False)
    verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    verification_ok = models.BooleanField(null=True, editable=False)
    verification_message = models.CharField(max_length=300, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("chat channel settings")
        verbose_name_plural = _("chat channel settings")

    def __str__(self) -> str:
        return str(_("Chat channel settings"))

    @classmethod
    def load(cls) -> ChatChannelSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def has_auth_token(self) -> bool:
        return bool(self.auth_token_encrypted)

    def set_auth_token(self, token: str) -> None:
        self.auth_token_encrypted = crypto.encrypt(token) if token else ""

    def get_auth_token(self) -> str:
        """The plaintext token: only for authenticating to Twilio."""
        return crypto.decrypt(self.auth_token_encrypted) if self.auth_token_encrypted else ""

    @property
    def whatsapp_ready(self) -> bool:
        return bool(self.whatsapp_enabled and self.account_sid and self.auth_token_encrypted)
