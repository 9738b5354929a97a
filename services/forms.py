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
            "csat_enabled",
            "csat_template_sid",
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
        from interactions import channels

        # Approved quick-reply templates without variables: the survey's buttons.
        surveys = [
            (t["sid"], f"{t['name']} ({t.get('language') or '—'})")
            for t in channels.templates()
            if len(t.get("buttons") or []) >= 2 and not t["variables"]
        ]
        self.fields["csat_template_sid"] = forms.ChoiceField(
            label=self.fields["csat_template_sid"].label,
            help_text=self.fields["csat_template_sid"].help_text,
            required=False,
            choices=[("", _("None: a text message inside the 24-hour window"))] + surveys,
        )
        self.fields["queue_position_reply"].help_text = _(
            "When no agent is free, reply to the customer with their place in the queue."
        )

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
