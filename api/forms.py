"""Settings → API tokens: the user a token is created for."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from occ.lib.text import SafeTextFormMixin


class TokenCreateForm(SafeTextFormMixin, forms.Form):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True))
