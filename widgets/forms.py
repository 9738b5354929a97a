"""Settings → Widget: the widget form, with the WhatsApp channel's service."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from occ.lib.text import SafeTextFormMixin
from services.models import Service
from widgets.colours import AA_TEXT, DEFAULT_COLOUR, HEX, contrast_ratio
from widgets.models import Widget
from widgets.origins import clean_origin_list


class WidgetForm(SafeTextFormMixin, forms.ModelForm):
    class Meta:
        model = Widget
        fields = [
            "name",
            "in_use",
            "allowed_origins",
            "whatsapp_service",
            "prefilled_text",
            "attribution_enabled",
            "colour",
            "position",
            "launcher_text",
            "title_text",
        ]
        widgets = {
            "allowed_origins": forms.Textarea(
                attrs={"rows": 4, "placeholder": "https://www.example.com"}
            ),
            "colour": forms.TextInput(attrs={"type": "color"}),
            "prefilled_text": forms.Textarea(
                attrs={"rows": 3, "placeholder": _("Hello, I would like some information.")}
            ),
        }
        help_texts = {
            "whatsapp_service": _(
                "Channels → WhatsApp: the service whose Twilio number visitors reach. Only services "
                "with the chat channel, WhatsApp and a Twilio number are offered."
            ),
            "prefilled_text": _(
                "Optional: the first message WhatsApp writes for the visitor, who can still change it."
            ),
            "colour": _(
                "The button's and the link's colour. Their text is white, so the colour must be dark "
                "enough to read it (WCAG 2.2 AA: a contrast of at least 4.5:1)."
            ),
            "launcher_text": _("Empty: “Chat with us”, in the visitor's language."),
            "title_text": _("Empty: “Chat with us on WhatsApp”, in the visitor's language."),
            "attribution_enabled": _(
                "Adds a short reference code to the pre-filled message of each visit, so the desk shows "
                "which page a conversation started from."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["whatsapp_service"]
        # The widget's own service stays a choice when it is not ready (say, inactive): a widget
        # switched off meanwhile keeps its mapping for when the service comes back.
        # Its link needs a number: a service on a Messaging Service alone cannot be linked to.
        ready = Q(pk__in=Service.objects.whatsapp_ready().filter(twilio_number__gt="").values("pk"))
        current = self.instance.whatsapp_service_id if self.instance.pk else None
        field.queryset = Service.objects.filter(ready | Q(pk=current) if current else ready)
        field.empty_label = _("— none —")
        field.label = _("WhatsApp service")
        # Optional in a post (the API's and older forms'): the defaults apply.
        self.fields["colour"].required = False
        self.fields["position"].required = False

    def clean_colour(self) -> str:
        colour = (self.cleaned_data["colour"] or DEFAULT_COLOUR).strip().lower()
        if not HEX.match(colour):
            raise forms.ValidationError(_("Write the colour as #rrggbb, e.g. #0f7a43."))
        ratio = contrast_ratio(colour, "#ffffff")
        if ratio < AA_TEXT:
            raise forms.ValidationError(
                _(
                    "White text on this colour has a contrast of %(ratio)s:1; at least 4.5:1 is "
                    "needed for visitors to read it. Choose a darker colour."
                )
                % {"ratio": f"{ratio:.2f}"}
            )
        return colour

    def clean_position(self) -> str:
        return self.cleaned_data["position"] or "right"

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the widget a name."))
        return name

    def clean_allowed_origins(self) -> str:
        return clean_origin_list(self.cleaned_data.get("allowed_origins", ""))

    def clean_prefilled_text(self) -> str:
        # Line breaks are kept (as \n); other control characters have no place in a message.
        text = self.cleaned_data.get("prefilled_text", "").replace("\r\n", "\n").strip()
        if any(ord(ch) < 32 and ch != "\n" for ch in text):
            raise forms.ValidationError(
                _("The message may hold line breaks, but no other control characters.")
            )
        return text

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("in_use")
            and not cleaned.get("whatsapp_service")
            and "whatsapp_service" not in self.errors
        ):
            self.add_error(
                "whatsapp_service",
                _("A widget in use needs its WhatsApp channel: choose the service visitors reach."),
            )
        service = cleaned.get("whatsapp_service")
        if cleaned.get("in_use") and service is not None and not service.whatsapp_ready:
            self.add_error(
                "whatsapp_service",
                _(
                    "The service “%(name)s” is not ready for WhatsApp: choose another, or switch the widget off until it is."
                )
                % {"name": service.name},
            )
        return cleaned
