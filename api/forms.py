"""Settings → API tokens: the user a token is created for."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from occ.text import SafeTextFormMixin


class TokenCreateForm(SafeTextFormMixin, forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        error_messages={"invalid_choice": _("Choose an active user.")},
    )
