"""Writes: widget visits and their attribution to the conversations they start."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from occ.lib.text import unsafe_character
from widgets import links, origins
from widgets.models import Widget, WidgetVisit

logger = logging.getLogger(__name__)

# A reference code is matched only within this time after the visit, so old
# codes (and chance look-alikes in unrelated messages) attribute nothing.
ATTRIBUTION_WINDOW = timedelta(days=7)
PAGE_URL_MAX = 2000


_url_validator = URLValidator(schemes=["http", "https"])


def _clean_page_url(widget: Widget, value: str) -> str:
    """The page the visit came from: a web address, on one of the widget's origins if it has a list.

    Anything else (too long for the column, control characters, not a URL)
    is not stored: the visit still counts, without its page. A cut-off
    address would name a page that does not exist.
    """
    value = (value or "").strip()
    if len(value) > PAGE_URL_MAX or not value.startswith(("http://", "https://")):
        return ""
    if unsafe_character(value, multiline=False):
        return ""  # a browser sends none with control characters
    try:
        _url_validator(value)
    except ValidationError:
        return ""
    if widget.origins:
        try:
            origin = origins.normalize_origin(origins.origin_of(value))
        except ValidationError:
            return ""
        if not origins.origin_allowed(widget.origins, origin):
            return ""
    return value


def record_visit(widget: Widget, page_url: str = "", *, now: datetime | None = None) -> WidgetVisit:
    """A visitor opened the widget: a visit with a fresh reference code."""
    page_url = _clean_page_url(widget, page_url)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return WidgetVisit.objects.create(
                    widget=widget, page_url=page_url, created_at=now or timezone.now()
                )
        except IntegrityError:
            # Two visits drew the same random code: draw again.
            continue
    raise RuntimeError("could not draw a unique reference code")


def mark_opened(visit: WidgetVisit, *, now: datetime | None = None) -> None:
    """The visitor clicked through to WhatsApp (the first time counts)."""
    WidgetVisit.objects.filter(pk=visit.pk, opened_whatsapp_at__isnull=True).update(
        opened_whatsapp_at=now or timezone.now()
    )


def attribute_interaction(
    interaction, message, *, now: datetime | None = None
) -> WidgetVisit | None:
    """Link a new interaction to the widget visit whose reference code its first message carries.

    Only unmatched visits younger than ATTRIBUTION_WINDOW count; the update is
    conditional, so one code never attributes two conversations. A message
    without a code (a customer writing straight from the app) changes nothing.
    """
    codes = links.ref_codes_in(getattr(message, "body", ""))
    if not codes:
        return None
    now = now or timezone.now()
    candidates = WidgetVisit.objects.filter(
        ref_code__in=codes, interaction__isnull=True, created_at__gte=now - ATTRIBUTION_WINDOW
    ).order_by("-created_at")
    for visit in candidates:
        # Scanning the QR code opens WhatsApp without a click we could see:
        # the message itself proves the visit opened WhatsApp.
        updated = WidgetVisit.objects.filter(pk=visit.pk, interaction__isnull=True).update(
            interaction=interaction,
            matched_at=now,
            opened_whatsapp_at=Coalesce("opened_whatsapp_at", now),
        )
        if updated:
            visit.refresh_from_db()
            return visit
    return None
