from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hooks.models import Endpoint, EventType
from occ.lib.text import SafeTextFormMixin


class EndpointForm(SafeTextFormMixin, forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://crm.example.com/occ-events"}),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None selected: every event."),
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "event_types", "is_active"]
