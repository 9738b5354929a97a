"""Forms of the desk's history pages: search, the customer panel, merging, contact attributes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agents.models import AgentProfile
from interactions.models import CloseReason, ContactAttribute, Label
from interactions.search import Filters
from services.models import Service


class SearchForm(forms.Form):
    text = forms.CharField(label=_("Words in a message"), required=False, max_length=200)
    contact = forms.CharField(label=_("Contact name or number"), required=False, max_length=100)
    label = forms.ModelChoiceField(
        label=_("Label"), queryset=Label.objects.all(), required=False, empty_label=_("Any")
    )
    close_reason = forms.ModelChoiceField(
        label=_("Close reason"),
        queryset=CloseReason.objects.all(),
        required=False,
        empty_label=_("Any"),
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.order_by("name"),
        required=False,
        empty_label=_("Any"),
    )
    agent = forms.ModelChoiceField(
        label=_("Agent"),
        queryset=AgentProfile.objects.select_related("user").order_by("user__username"),
        required=False,
        empty_label=_("Any"),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self, *, closed_only: bool) -> Filters:
        data = self.cleaned_data if self.is_valid() else {}
        return Filters(
            text=data.get("text") or "",
            contact=data.get("contact") or "",
            label_id=data["label"].pk if data.get("label") else None,
            close_reason_id=data["close_reason"].pk if data.get("close_reason") else None,
            service_id=data["service"].pk if data.get("service") else None,
            agent_id=data["agent"].pk if data.get("agent") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            closed_only=closed_only,
        )


LANGUAGE_CHOICES = [("", _("The service's default")), ("en", _("English")), ("it", _("Italian"))]


class ContactForm(forms.Form):
    """The customer panel: what agents may change about a contact (attributes added per definition)."""

    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note about the customer"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, contact, **kwargs):
        initial = {
            "name": contact.name,
            "language": contact.language,
            "note": contact.note,
        }
        self.definitions = list(ContactAttribute.objects.all())
        for definition in self.definitions:
            initial[f"attr_{definition.key}"] = (contact.attributes or {}).get(definition.key, "")
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for definition in self.definitions:
            name = f"attr_{definition.key}"
            if definition.kind == ContactAttribute.Kind.CHOICE:
                field: forms.Field = forms.ChoiceField(
                    choices=[("", "—")] + [(o, o) for o in definition.options], required=False
                )
            elif definition.kind == ContactAttribute.Kind.DATE:
                field = forms.CharField(
                    required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
            elif definition.kind == ContactAttribute.Kind.NUMBER:
                field = forms.CharField(
                    required=False,
                    max_length=40,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
            else:
                field = forms.CharField(required=False, max_length=500)
            field.label = definition.label
            self.fields[name] = field

    def attribute_fields(self):
        return [self[f"attr_{d.key}"] for d in self.definitions]

    def attributes(self) -> dict:
        return {d.key: self.cleaned_data.get(f"attr_{d.key}", "") for d in self.definitions}


class MergeForm(forms.Form):
    other = forms.CharField(
        label=_("The same person's other contact: number or name"), max_length=100
    )


class ContactAttributeForm(forms.ModelForm):
    class Meta:
        model = ContactAttribute
        fields = ["label", "key", "kind", "choices", "position"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        data = super().clean() or {}
        if data.get("kind") == ContactAttribute.Kind.CHOICE and not [
            line for line in (data.get("choices") or "").splitlines() if line.strip()
        ]:
            self.add_error("choices", _("A choice needs at least one option."))
        return data
