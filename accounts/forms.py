"""Forms of sign-in: the code step, enrolment, Settings → Security."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import SecuritySettings
from occ.lib.text import SafeTextFormMixin


class CodeForm(SafeTextFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code of your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "autofocus": True,
            }
        ),
    )


class AuthenticatorCodeForm(SafeTextFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecuritySettingsForm(SafeTextFormMixin, forms.ModelForm):
    class Meta:
        model = SecuritySettings
        fields = ["two_factor_required"]
        widgets = {"two_factor_required": forms.RadioSelect}
        labels = {"two_factor_required": _("Require two-factor sign-in of")}
        help_texts = {
            "two_factor_required": _(
                "Users who must have it and have not set it up are asked to do so at their next page, "
                "before anything else. API tokens are not affected."
            )
        }
