"""Routing reasons in the reader's language (interactions/reasons.py): a filter and the scripts' table."""

from django import template
from django.utils.html import json_script

from interactions import reasons

register = template.Library()


@register.filter
def routing_reason(value: str) -> str:
    return reasons.describe(value)


@register.simple_tag
def reason_patterns():
    """<script id="reason-patterns" type="application/json">: what static/js/lib/reasons.js reads."""
    return json_script(reasons.table(), "reason-patterns")
