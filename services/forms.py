"""Services: name, chat channel, WhatsApp switch, Twilio phone number, queue options."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from occ.lib.phone import normalize_e164
from occ.lib.text import SafeTextFormMixin
from services.models import Service


class ServiceForm(SafeTextFormMixin, forms.ModelForm):
    """Validation lives in Service.clean(); its errors land next to their fields."""

    class Meta:
        model = Service
        fields = [
            "name",
            "is_active",
            "chat_enabled",
            "whatsapp_enabled",
            "twilio_number",
            "queue_position_reply",
            "offline_conversations",
            "offline_after_minutes",
        ]
        widgets = {
            # Wider than the stored 16 characters: people paste numbers with spaces.
            "twilio_number": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "off", "placeholder": "+39 02 1234 5678"}
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.fields["twilio_number"]
        number.max_length = 40
        number.validators = []  # the stored length is checked after normalising
        number.widget.attrs.pop("maxlength", None)
        self.fields["chat_enabled"].label = _("Chat channel")
        self.fields["whatsapp_enabled"].label = _("WhatsApp")
        self.fields["whatsapp_enabled"].help_text = _(
            "Needs the chat channel, the Twilio phone number and WhatsApp enabled in Settings → Advanced → Chat channel."
        )
        self.fields["offline_conversations"].help_text = _(
            "When an agent goes offline (or closes the desk) holding conversations of this service and stays offline for longer than the minutes below."
        )
        # A form (or a script) that does not send them keeps what the service has.
        self.fields["offline_conversations"].required = False
        self.fields["offline_after_minutes"].required = False
        self.fields["offline_after_minutes"].help_text = _(
            "Counted from the moment the agent went offline; coming back before keeps everything."
        )
        self.fields["queue_position_reply"].help_text = _(
            "When no agent is free, reply to the customer with their place in the queue."
        )

    def clean_offline_conversations(self) -> str:
        return self.cleaned_data.get("offline_conversations") or self.instance.offline_conversations

    def clean_offline_after_minutes(self) -> int:
        value = self.cleaned_data.get("offline_after_minutes")
        return self.instance.offline_after_minutes if value is None else value

    def clean_twilio_number(self) -> str | None:
        raw = (self.cleaned_data.get("twilio_number") or "").strip()
        if not raw:
            return None
        number = normalize_e164(raw)  # its ValidationError explains the format
        other = Service.objects.filter(twilio_number=number).exclude(pk=self.instance.pk).first()
        if other is not None:
            raise ValidationError(
                _(
                    "The service “%(name)s” already uses this number: each Twilio number belongs to one service."
                ),
                params={"name": other.name},
                code="unique",
            )
        return number
