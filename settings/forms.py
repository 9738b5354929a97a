"""Settings → Advanced → Chat channel: the account-level WhatsApp form.

The Auth Token is write-only: the field is never rendered back into a page,
and leaving it blank keeps the stored token.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from occ.lib.text import SafeTextFormMixin
from settings.models import ChatChannelSettings
from settings.validators import validate_account_sid


class ChatChannelForm(SafeTextFormMixin, forms.ModelForm):
    auth_token = forms.CharField(
        label=_("Auth Token"),
        required=False,
        strip=True,
        max_length=200,
        # render_value=False: a re-rendered form (after an error) never holds the token.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_auth_token = forms.BooleanField(label=_("Remove the stored Auth Token"), required=False)

    class Meta:
        model = ChatChannelSettings
        fields = ["whatsapp_enabled", "account_sid"]
        widgets = {
            "account_sid": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "placeholder": "AC…"}
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["whatsapp_enabled"].label = _("Enable WhatsApp")
        sid = cast(forms.CharField, self.fields["account_sid"])
        # One clear message for any malformed SID, including a too long one.
        sid.max_length = None
        sid.validators = []
        sid.widget.attrs.pop("maxlength", None)
        self.fields["account_sid"].help_text = _(
            "From the Twilio console: AC followed by 32 hexadecimal digits."
        )
        if self.instance.has_auth_token:
            self.fields["auth_token"].help_text = _(
                "An Auth Token is stored. Leave the field blank to keep it."
            )
        else:
            self.fields["auth_token"].help_text = _(
                "From the Twilio console, next to the Account SID."
            )

    def clean_account_sid(self) -> str:
        sid = (self.cleaned_data.get("account_sid") or "").strip()
        if sid:
            validate_account_sid(sid)
        return sid

    def clean(self):
        cleaned = cast(dict, super().clean())
        token = cleaned.get("auth_token") or ""
        if cleaned.get("clear_auth_token") and token:
            self.add_error(
                "clear_auth_token",
                _("Either type a new Auth Token or remove the stored one, not both."),
            )
        if cleaned.get("whatsapp_enabled"):
            if "account_sid" in cleaned and not cleaned["account_sid"]:
                self.add_error("account_sid", _("WhatsApp needs the Account SID issued by Twilio."))
            if not self.token_available(cleaned):
                self.add_error("auth_token", _("WhatsApp needs the Auth Token issued by Twilio."))
        return cleaned

    def token_available(self, cleaned: dict) -> bool:
        if cleaned.get("auth_token"):
            return True
        return self.instance.has_auth_token and not cleaned.get("clear_auth_token")

    @property
    def new_token(self) -> str:
        """The token typed in this submission ('' when the stored one is kept)."""
        return self.cleaned_data.get("auth_token") or ""

    def credentials_changed(self) -> bool:
        return bool(
            self.new_token
            or self.cleaned_data.get("clear_auth_token")
            or "account_sid" in self.changed_data
        )

    def credentials(self) -> tuple[str, str]:
        """(Account SID, Auth Token) to verify: the typed token, else the stored one."""
        sid = self.cleaned_data.get("account_sid") or ""
        return sid, self.new_token or self.instance.get_auth_token()

    def save(self, commit: bool = True) -> ChatChannelSettings:
        config = super().save(commit=False)
        if self.credentials_changed():
            # A verification result speaks about the credentials it checked.
            config.verified_at = None
            config.verification_ok = None
            config.verification_message = ""
        if self.cleaned_data.get("clear_auth_token"):
            config.set_auth_token("")
        elif self.new_token:
            config.set_auth_token(self.new_token)
        if commit:
            config.save()
        return config
