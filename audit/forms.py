"""The log-in forms, throttled (see audit.login_throttle)."""

from __future__ import annotations

import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import ngettext

from audit import login_throttle
from audit.context import client_ip


class ThrottledLoginMixin:
    """Refuse a locked-out username before checking the password; count failures."""

    def clean(self):
        username = self.data.get("username", "") if hasattr(self.data, "get") else ""
        # The raw value (the field may have refused it); NUL cannot be stored in PostgreSQL.
        username = username.replace("\x00", "") if isinstance(username, str) else ""
        ip = client_ip(self.request) if self.request is not None else None
        wait = login_throttle.seconds_locked(username, ip)
        if wait:
            minutes = max(1, math.ceil(wait / 60))
            raise forms.ValidationError(
                ngettext(
                    "Too many failed log-in attempts. For your security this account is locked "
                    "from your address: try again in %(minutes)d minute.",
                    "Too many failed log-in attempts. For your security this account is locked "
                    "from your address: try again in %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="locked_out",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError as exc:
            if getattr(exc, "code", None) == "invalid_login":
                login_throttle.record_failure(username, ip)
            raise
        login_throttle.clear_failures(username, ip)
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
