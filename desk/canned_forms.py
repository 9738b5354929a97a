"""The form of a canned response, shared (with services) or personal, in the console and the API."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from agents.models import CannedResponse, placeholder_list
from occ.lib.text import SafeTextFormMixin
from services.models import Service


class CannedResponseForm(SafeTextFormMixin, forms.ModelForm):
    """`owner`: None for a shared response, the user for a personal one."""

    class Meta:
        model = CannedResponse
        fields = ["shortcut", "title", "body", "services"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 5, "maxlength": 1600}),
            "services": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.instance.owner = owner
        self.fields["body"].help_text = _(
            "Placeholders, filled when inserted: %(names)s. Any other {{…}} is refused."
        ) % {"names": ", ".join(placeholder_list())}
        if owner is not None:
            del self.fields["services"]
        else:
            services = cast(forms.ModelMultipleChoiceField, self.fields["services"])
            services.queryset = Service.objects.order_by("name")

    def clean_shortcut(self) -> str:
        shortcut = self.cleaned_data["shortcut"]
        same = CannedResponse.objects.filter(shortcut__iexact=shortcut, owner=self.owner)
        if self.instance.pk:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            if self.owner is None:
                raise forms.ValidationError(
                    _("A shared canned response already has this shortcut.")
                )
            raise forms.ValidationError(_("You already have a canned response with this shortcut."))
        return shortcut
