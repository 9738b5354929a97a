"""`{% load widget_attribution %}{% widget_attribution interaction %}`: where a conversation came from."""

from __future__ import annotations

from django import template

from widgets.selectors import Attribution, attribution_for

register = template.Library()


@register.inclusion_tag("widgets/_attribution.html")
def widget_attribution(interaction_or_attribution):
    """Renders nothing for a conversation that did not start from a widget."""
    if isinstance(interaction_or_attribution, Attribution) or interaction_or_attribution is None:
        attribution = interaction_or_attribution
    else:
        attribution = attribution_for(interaction_or_attribution)
    return {"attribution": attribution}
