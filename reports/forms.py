"""The report's filters, read from the query string by the page, the CSV and the API alike."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from agents.models import AgentProfile
from interactions.models import CloseReason, Label
from reports.selectors import MAX_DAYS, Scope
from services.models import Service


@lru_cache(maxsize=1)
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")
    return [(name, name.replace("_", " ")) for name in names]


class FastSelect(forms.Select):
    """A <select> written in one pass: Django's renders a template per option (slow for ~600 zones)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = "" if value is None else str(value)
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, mark_safe(" selected") if str(option_value) == chosen else "", label)
                for option_value, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(attrs), options)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class ReportForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("reports", "From"), widget=DateInput())
    end = forms.DateField(label=pgettext_lazy("reports", "To (included)"), widget=DateInput())
    tz = forms.ChoiceField(
        label=pgettext_lazy("reports", "Time zone"), choices=time_zone_choices, widget=FastSelect
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.order_by("name"),
        required=False,
        widget=FastSelect,
    )
    agent = AgentChoiceField(
        label=_("Agent"),
        queryset=AgentProfile.objects.select_related("user").order_by("user__username"),
        required=False,
        widget=FastSelect,
    )
    label = forms.ModelChoiceField(
        label=pgettext_lazy("reports", "Label"),
        queryset=Label.objects.all(),
        required=False,
        widget=FastSelect,
    )
    close_reason = forms.ModelChoiceField(
        label=pgettext_lazy("reports", "Close reason"),
        queryset=CloseReason.objects.all(),
        required=False,
    )

    def __init__(self, data=None, **kwargs):
        """Unbound fields take the defaults: the last 30 days to today, the page's time zone."""
        tz = timezone.get_current_timezone()
        today = timezone.localdate(timezone=tz)
        defaults = {
            "start": (today - timedelta(days=29)).isoformat(),
            "end": today.isoformat(),
            "tz": getattr(tz, "key", "UTC"),
        }
        merged = dict(defaults)
        if data:
            merged.update({key: value for key, value in data.items() if value not in ("", None)})
        super().__init__(merged, **kwargs)
        for name in ("service", "agent", "label", "close_reason"):
            self.fields[name].empty_label = pgettext("reports", "All")  # type: ignore[attr-defined]

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end day is before the start day."))
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error(
                    "end", _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return cleaned

    def scope(self) -> Scope:
        data = self.cleaned_data

        def pk(name: str) -> int | None:
            return data[name].pk if data.get(name) else None

        return Scope(
            start=data["start"],
            end=data["end"],
            tz=ZoneInfo(data["tz"]),
            service_id=pk("service"),
            agent_id=pk("agent"),
            label_id=pk("label"),
            close_reason_id=pk("close_reason"),
        )

    def filter_names(self) -> dict[str, str]:
        """The chosen filters by name, as the CSV and the page show them ("" when all)."""
        data = self.cleaned_data
        return {
            "service": str(data["service"]) if data.get("service") else "",
            "agent": data["agent"].display_name if data.get("agent") else "",
            "label": str(data["label"]) if data.get("label") else "",
            "close_reason": str(data["close_reason"]) if data.get("close_reason") else "",
        }
