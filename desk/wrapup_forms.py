"""Labels and close reasons in the console (and the API, through the same forms)."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from interactions.models import CloseReason, Label, contrast
from occ.lib.text import SafeTextFormMixin

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A chip paler than this against the white page cannot be told from it.
LEAST_CONTRAST_WITH_PAGE = 1.2


class LabelForm(SafeTextFormMixin, forms.ModelForm):
    """A label's name and colour; its text is black or white, whichever reads on the colour."""

    class Meta:
        model = Label
        fields = ["name", "colour"]
        widgets = {"colour": forms.TextInput(attrs={"type": "color"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].help_text = _(
            "The label's text is black or white, whichever reads better on this colour."
        )

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if Label.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A label with this name already exists."), code="unique")
        return name

    def clean_colour(self) -> str:
        colour = (self.cleaned_data.get("colour") or "").strip().lower()
        if not COLOUR.match(colour):
            raise ValidationError(_("A colour is written #rrggbb, e.g. #2e7d32."), code="invalid")
        if contrast(colour, "#ffffff") < LEAST_CONTRAST_WITH_PAGE:
            raise ValidationError(
                _("This colour is too pale: the label would not stand out from the page."),
                code="too_pale",
            )
        return colour


class CloseReasonForm(SafeTextFormMixin, forms.ModelForm):
    """A close reason: its name, whether agents can pick it now, and its place in the list."""

    class Meta:
        model = CloseReason
        fields = ["name", "is_active", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["is_active"].help_text = _(
            "Inactive reasons stay on the conversations closed with them, but cannot be picked."
        )
        self.fields["position"].help_text = _("Lower numbers come first in the close dialog.")

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if CloseReason.objects.filter(name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("A close reason with this name already exists."), code="unique")
        return name
