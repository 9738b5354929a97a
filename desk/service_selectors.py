"""Reads for the supervisor view: each service's business hours now, its first-response target and misses (SLA breaches are the core's rows)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count
from django.utils import timezone

from services import hours
from services.models import Service


def automation_overview(*, now: datetime | None = None, recent: int = 10) -> dict:
    """{"services": [...], "breaches": [...]}: open or closed now, today's ranges, the next opening,
    the first-response target and how often it was missed in the last 24 hours; the latest misses."""
    from interactions.models import SlaBreach

    now = now or timezone.now()
    since = now - timedelta(hours=24)
    missed = dict(
        SlaBreach.objects.filter(at__gte=since)
        .values_list("service_id")
        .annotate(n=Count("id"))
        .values_list("service_id", "n")
    )
    rows = []
    for service in Service.objects.filter(is_active=True).order_by("name"):
        schedule = hours.schedule(service)
        rows.append(
            {
                "service": service,
                "uses_hours": service.business_hours_enabled,
                "open_now": schedule.is_open(now),
                "today": [f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in schedule.today(now)],
                "next_opening": None if schedule.is_open(now) else schedule.next_opening(now),
                "time_zone": service.time_zone,
                "target_minutes": service.first_response_minutes,
                "missed_24h": missed.get(service.pk, 0),
            }
        )
    breaches = list(
        SlaBreach.objects.select_related(
            "interaction__contact", "service", "agent__user", "new_agent__user"
        ).order_by("-at", "-id")[:recent]
    )
    return {"services": rows, "breaches": breaches}
