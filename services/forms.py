"""Services: name, chat channel, WhatsApp switch, Twilio phone number, queue options."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from occ.lib.phone import normalize_e164
from occ.lib.text import SafeTextFormMixin
from services import messages
from services.models import (
    Closure,
    MessageKind,
    OpeningRange,
    Service,
    ServiceMessage,
    check_messaging_service_sid,
)


def _at_least_one(field) -> None:
    """A number of minutes or hours: 0 would fire at once (empty turns the timer off)."""
    field.min_value = 1
    field.validators.append(MinValueValidator(1))
    field.widget.attrs["min"] = 1


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
            "messaging_service_sid",
            "queue_position_reply",
            "close_reason_required",
            "default_language",
            "greeting_enabled",
            "no_agent_reply",
            "closed_message_enabled",
            "first_response_minutes",
            "idle_close_hours",
            "csat_enabled",
            "csat_template_sid",
            "offline_conversations",
            "offline_after_minutes",
        ]
        widgets = {
            # Wider than the stored 16 characters: people paste numbers with spaces.
            "twilio_number": forms.TextInput(
                attrs={"type": "tel", "autocomplete": "off", "placeholder": "+39 02 1234 5678"}
            ),
            "messaging_service_sid": forms.TextInput(
                attrs={
                    "autocomplete": "off",
                    "spellcheck": "false",
                    "placeholder": "MG0123456789abcdef0123456789abcdef",
                }
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        number = self.fields["twilio_number"]
        number.max_length = 40
        number.validators = []  # the stored length is checked after normalising
        number.widget.attrs.pop("maxlength", None)
        # Its format has one message (Service.clean), not a length count: pasted SIDs carry spaces.
        sid = self.fields["messaging_service_sid"]
        sid.max_length = 60
        sid.validators = []
        sid.widget.attrs.pop("maxlength", None)
        self.fields["chat_enabled"].label = _("Chat channel")
        self.fields["whatsapp_enabled"].label = _("WhatsApp")
        self.fields["whatsapp_enabled"].help_text = _(
            "Needs the chat channel, the Twilio phone number (or a Messaging Service) and WhatsApp enabled in Settings → Advanced → Chat channel."
        )
        from occ.lib import channels

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
            "When no agent is free, reply to the customer with their place in the queue and an estimated wait."
        )
        # A form posted without it (scripts, older pages) keeps the stored language.
        self.fields["default_language"].required = False
        self.fields["default_language"].help_text = _(
            "Automatic messages use the contact's language when set, else this one."
        )
        self.fields["no_agent_reply"].help_text = _(
            "Inside business hours, when nobody serving this service is online; the conversation waits in the queue."
        )
        self.fields["first_response_minutes"].help_text = _(
            "When the assigned agent has not replied within this time, the conversation goes to another available agent, or back to the front of the queue. Empty: no target."
        )
        _at_least_one(self.fields["first_response_minutes"])
        self.fields["idle_close_hours"].help_text = _(
            "After this many hours without a customer message the conversation is closed. Empty: never."
        )
        _at_least_one(self.fields["idle_close_hours"])

    def clean_default_language(self) -> str:
        return self.cleaned_data.get("default_language") or self.instance.default_language or "en"

    def clean_offline_conversations(self) -> str:
        return self.cleaned_data.get("offline_conversations") or self.instance.offline_conversations

    def clean_offline_after_minutes(self) -> int:
        value = self.cleaned_data.get("offline_after_minutes")
        return self.instance.offline_after_minutes if value is None else value

    def _post_clean(self) -> None:
        super()._post_clean()
        # A Messaging Service SID that is wrong is not a missing number: one message, on its field.
        if (
            "messaging_service_sid" in self.errors
            and "twilio_number" in self.errors
            and not (self.data.get(self.add_prefix("twilio_number")) or "").strip()
        ):
            del self.errors["twilio_number"]

    def clean_messaging_service_sid(self) -> str | None:
        sid = (self.cleaned_data.get("messaging_service_sid") or "").strip()
        if not sid:
            return None
        check_messaging_service_sid(sid)
        other = (
            Service.objects.filter(messaging_service_sid=sid).exclude(pk=self.instance.pk).first()
        )
        if other is not None:
            raise ValidationError(
                _(
                    "The service “%(name)s” already uses this Messaging Service: each belongs to one service."
                ),
                params={"name": other.name},
                code="unique",
            )
        return sid

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


class HoursForm(SafeTextFormMixin, forms.ModelForm):
    """A service's business-hours settings (the ranges and closures are formsets beside it)."""

    class Meta:
        model = Service
        fields = [
            "business_hours_enabled",
            "time_zone",
            "out_of_hours_reply",
            "out_of_hours_reply_every_hours",
            "out_of_hours_action",
        ]
        widgets = {"out_of_hours_action": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].help_text = _(
            "The schedule below is in this time zone, e.g. Europe/Rome."
        )
        _at_least_one(self.fields["out_of_hours_reply_every_hours"])
        self.fields["out_of_hours_reply_every_hours"].help_text = _(
            "A customer who keeps writing while you are closed hears the reply again only after this many hours."
        )

    def clean_time_zone(self) -> str:
        name = (self.cleaned_data.get("time_zone") or "").strip()
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_("Not a time zone: use a name such as Europe/Rome.")) from None
        return name


class RangeForm(forms.ModelForm):
    class Meta:
        model = OpeningRange
        fields = ["weekday", "opens", "closes"]
        # Text, not type=time: 24-hour HH:MM whatever the browser's own clock format.
        widgets = {
            "opens": forms.TimeInput(
                attrs={"placeholder": "09:00", "inputmode": "numeric", "size": 5}, format="%H:%M"
            ),
            "closes": forms.TimeInput(
                attrs={"placeholder": "18:00", "inputmode": "numeric", "size": 5}, format="%H:%M"
            ),
        }


class ClosureForm(SafeTextFormMixin, forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


RangeFormSet = forms.inlineformset_factory(
    Service, OpeningRange, form=RangeForm, extra=3, can_delete=True
)
ClosureFormSet = forms.inlineformset_factory(
    Service, Closure, form=ClosureForm, extra=2, can_delete=True
)


def hours_forms(service: Service, data=None):
    """The business-hours forms of a service: its settings, weekly ranges and closures.

    The console page binds them to its POST; the API to the same fields
    built from its JSON (api.serializers.BusinessHoursSerializer): one set
    of rules for both.
    """
    return (
        HoursForm(data, instance=service, prefix="hours"),
        RangeFormSet(data, instance=service, prefix="ranges"),
        ClosureFormSet(data, instance=service, prefix="closures"),
    )


def hours_asked(form: HoursForm, ranges, closures) -> dict:
    """What valid business-hours forms ask for, as `services.actions.set_business_hours` takes it."""

    def kept(formset) -> list[dict]:
        return [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]

    return {
        "settings": {name: form.cleaned_data[name] for name in HoursForm._meta.fields},
        "ranges": kept(ranges),
        "closures": kept(closures),
    }


class MessagesForm(SafeTextFormMixin, forms.Form):
    """Every automatic message of a service in every language: empty means the shipped default."""

    def __init__(self, service: Service, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        own = {(m.kind, m.language): m.body for m in ServiceMessage.objects.filter(service=service)}
        for kind, _label in MessageKind.choices:
            for language, language_name in settings.LANGUAGES:
                name = self.field_name(kind, language)
                self.fields[name] = forms.CharField(
                    label=language_name,
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(
                        attrs={
                            "rows": 3,
                            "placeholder": messages.default_text(kind, language),
                            "lang": language,
                        }
                    ),
                    initial=own.get((kind, language), ""),
                )

    @staticmethod
    def field_name(kind: str, language: str) -> str:
        return f"{kind}__{language}"

    def clean(self):
        cleaned = super().clean()
        for kind, _label in MessageKind.choices:
            for language, _name in settings.LANGUAGES:
                name = self.field_name(kind, language)
                text = (cleaned.get(name) or "").strip()
                try:
                    messages.check_placeholders(kind, text)
                except ValidationError as exc:
                    self.add_error(name, exc)
        return cleaned

    def save(self) -> int:
        """Store what differs from the defaults; a text emptied (or equal to the default) goes back to it."""
        changed = 0
        for kind, _label in MessageKind.choices:
            for language, _name in settings.LANGUAGES:
                text = (self.cleaned_data.get(self.field_name(kind, language)) or "").strip()
                row = ServiceMessage.objects.filter(
                    service=self.service, kind=kind, language=language
                ).first()
                if not text or text == messages.default_text(kind, language):
                    if row is not None:
                        row.delete()
                        changed += 1
                elif row is None:
                    ServiceMessage.objects.create(
                        service=self.service, kind=kind, language=language, body=text
                    )
                    changed += 1
                elif row.body != text:
                    row.body = text
                    row.updated_at = timezone.now()
                    row.save()
                    changed += 1
        return changed
