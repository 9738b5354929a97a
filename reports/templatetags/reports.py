"""Durations and counts in the page's language."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """45 s, 3 min 20 s, 1 h 05 min, 2 d 3 h; "—" when there is nothing to measure."""
    if seconds is None:
        return "—"
    total = round(seconds)
    if total < 60:
        return pgettext("reports", "%(s)s s") % {"s": total}
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return pgettext("reports", "%(m)s min %(s)02d s") % {"m": minutes, "s": secs}
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return pgettext("reports", "%(h)s h %(m)02d min") % {"h": hours, "m": minutes}
    days, hours = divmod(hours, 24)
    return pgettext("reports", "%(d)s d %(h)s h") % {
        "d": number_format(days, 0, force_grouping=True),
        "h": hours,
    }


@register.filter
def count(value: int | None) -> str:
    """A whole number with the language's thousands separator."""
    return "—" if value is None else number_format(value, 0, force_grouping=True)
