"""When each user's API token was last used (the token itself is DRF's authtoken Token)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenUse(models.Model):
    """The last time a user's current token authenticated a request.

    Written by `api.authentication.TokenAuthentication` at most once a
    minute per token (OCC_API_TOKEN_USE_RESOLUTION_SECONDS), so busy scripts
    do not write on every call; removed with the token.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token_use"
    )
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("API token use")
        verbose_name_plural = _("API token uses")

    def __str__(self) -> str:
        return f"{self.user_id} {self.last_used_at:%Y-%m-%d %H:%M}"
