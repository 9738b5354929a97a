from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from privacy.models import RetentionPolicy


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionPolicy
        fields = ["days", "mode"]
        widgets = {"mode": forms.RadioSelect, "days": forms.NumberInput(attrs={"min": 1})}
        labels = {"days": _("Keep closed conversations for (days)"), "mode": _("Then")}
