"""The log-in forms, with lockouts (django-axes, see audit.lockout)."""

from __future__ import annotations

import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import ngettext

from audit import lockout


class ThrottledLoginMixin:
    """Refuse a locked-out (username, address) before checking the password.

    Failures are counted by axes from Django's user_login_failed signal, and a
    success clears them (AXES_RESET_ON_SUCCESS).
    """

    def clean(self):
        username = self.data.get("username", "") if hasattr(self.data, "get") else ""
        # The raw value (the field may have refused it); NUL cannot be stored in PostgreSQL.
        username = username.replace("\x00", "") if isinstance(username, str) else ""
        wait = lockout.seconds_locked(self.request, username) if self.request is not None else 0
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
        return super().clean()


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
