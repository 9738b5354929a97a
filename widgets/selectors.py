"""Reads: which widgets are served, what their WhatsApp channel shows, their figures.

`attribution_for(interaction)` is what the agent desk calls to show where a
conversation came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from widgets import links, qr
from widgets.models import Widget, WidgetVisit


def served_widget(public_key: str) -> Widget | None:
    """The widget behind a public key, if it is in use and its WhatsApp service is ready."""
    widget = (
        Widget.objects.select_related("whatsapp_service")
        .filter(public_key=public_key, in_use=True)
        .first()
    )
    if (
        widget is None
        or widget.whatsapp_service is None
        or not widget.whatsapp_service.whatsapp_ready
    ):
        return None
    from settings.models import ChatChannelSettings

    # WhatsApp off for the account: every message would be dropped, so no widget shows.
    if not ChatChannelSettings.load().whatsapp_ready:
        return None
    return widget


@dataclass(frozen=True)
class WhatsAppChannel:
    """What the widget's WhatsApp channel shows: the number's links and the QR payload."""

    digits: str
    text: str
    app_link: str  # wa.me: the QR payload, and the link phones open
    web_link: str  # web.whatsapp.com: what a desktop click opens

    def qr_hash(self, fmt: str) -> str:
        return qr.content_hash(self.app_link, fmt)


def whatsapp_channel(widget: Widget, visit: WidgetVisit | None = None) -> WhatsAppChannel | None:
    """The channel of a widget (for one visit when attribution adds its reference code)."""
    service = widget.whatsapp_service
    if service is None or not service.twilio_number:
        return None
    text = widget.prefilled_text.strip()
    if visit is not None:
        text = links.text_with_ref(text, visit.ref_code)
    number = service.twilio_number
    return WhatsAppChannel(
        digits=links.wa_digits(number),
        text=text,
        app_link=links.app_link(number, text),
        web_link=links.web_link(number, text),
    )


def open_visit(widget: Widget, ref_code: str) -> WidgetVisit | None:
    """A visit of this widget by its reference code (any case)."""
    if not ref_code or len(ref_code) > 16:
        return None
    return WidgetVisit.objects.filter(widget=widget, ref_code=ref_code.upper()).first()


# --- figures for the console -----------------------------------------------------------


def with_figures(widgets):
    """Annotate widgets with `visit_count`, `opened_count` and `conversation_count`."""
    return widgets.annotate(
        visit_count=Count("visits", distinct=True),
        opened_count=Count(
            "visits", filter=Q(visits__opened_whatsapp_at__isnull=False), distinct=True
        ),
        conversation_count=Count(
            "visits", filter=Q(visits__interaction__isnull=False), distinct=True
        ),
    )


def recent_attributed_visits(widget: Widget, limit: int = 10):
    return (
        WidgetVisit.objects.filter(widget=widget, interaction__isnull=False)
        .select_related("interaction__contact")
        .order_by("-matched_at")[:limit]
    )


# --- attribution, for the desk --------------------------------------------------------


@dataclass(frozen=True)
class Attribution:
    """Where a conversation came from: which widget, on which page, when."""

    widget_id: int
    widget_name: str
    page_url: str
    visited_at: datetime
    matched_at: datetime | None
    ref_code: str

    def as_dict(self) -> dict:
        return {
            "widget_id": self.widget_id,
            "widget_name": self.widget_name,
            "page_url": self.page_url,
            "visited_at": self.visited_at.isoformat(),
            "matched_at": self.matched_at.isoformat() if self.matched_at else None,
            "ref_code": self.ref_code,
        }


def _attribution(visit: WidgetVisit) -> Attribution:
    return Attribution(
        widget_id=visit.widget_id,
        widget_name=visit.widget.name,
        page_url=visit.page_url,
        visited_at=visit.created_at,
        matched_at=visit.matched_at,
        ref_code=visit.ref_code,
    )


def attribution_for(interaction) -> Attribution | None:
    """The widget visit an interaction started from, or None (e.g. the customer wrote from the app)."""
    interaction_id = getattr(interaction, "pk", interaction)
    visit = (
        WidgetVisit.objects.select_related("widget")
        .filter(interaction_id=interaction_id)
        .order_by("matched_at")
        .first()
    )
    return _attribution(visit) if visit else None


def attributions_for(interactions) -> dict[int, Attribution]:
    """`attribution_for` for many interactions in one query: {interaction id: Attribution}."""
    ids = [getattr(item, "pk", item) for item in interactions]
    found: dict[int, Attribution] = {}
    for visit in (
        WidgetVisit.objects.select_related("widget")
        .filter(interaction_id__in=ids)
        .order_by("-matched_at")
    ):
        if visit.interaction_id is not None:  # the filter above: always set
            found[visit.interaction_id] = _attribution(visit)
    return found
