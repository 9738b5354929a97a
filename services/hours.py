"""Business hours: is a service open at a moment, and when does it open next.

A service without business hours (`business_hours_enabled` off) is always
open. Otherwise it is open inside one of its weekly ranges
(`OpeningRange`, several per day, in the service's time zone) on a day no
`Closure` covers. Ranges are read once per call: two small queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from services.models import Closure, OpeningRange, Service

SEARCH_DAYS = 400  # how far ahead the next opening is looked for


@dataclass(frozen=True)
class Schedule:
    service: Service
    ranges: dict[int, list[tuple[time, time]]]
    closed_days: list[tuple[date, date]]

    def closed_on(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.closed_days)

    def is_open(self, at: datetime) -> bool:
        if not self.service.business_hours_enabled:
            return True
        local = at.astimezone(self.service.tz)
        if self.closed_on(local.date()):
            return False
        now = local.time().replace(tzinfo=None)
        return any(opens <= now < closes for opens, closes in self.ranges.get(local.weekday(), []))

    def next_opening(self, at: datetime) -> datetime | None:
        """The first moment at or after `at` when the service is open; None if never within SEARCH_DAYS."""
        if self.is_open(at):
            return at
        tz = self.service.tz
        local = at.astimezone(tz)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if self.closed_on(day):
                continue
            for opens, _closes in self.ranges.get(day.weekday(), []):
                start = datetime.combine(day, opens, tzinfo=tz)
                if start > local:
                    return start.astimezone(timezone.get_current_timezone())
        return None

    def today(self, at: datetime) -> list[tuple[time, time]]:
        local = at.astimezone(self.service.tz)
        if self.closed_on(local.date()):
            return []
        return self.ranges.get(local.weekday(), [])


def schedule(service: Service) -> Schedule:
    ranges: dict[int, list[tuple[time, time]]] = {}
    closed: list[tuple[date, date]] = []
    if service.business_hours_enabled:
        for weekday, opens, closes in OpeningRange.objects.filter(service=service).values_list(
            "weekday", "opens", "closes"
        ):
            ranges.setdefault(weekday, []).append((opens, closes))
        for day_ranges in ranges.values():
            day_ranges.sort()
        closed = list(Closure.objects.filter(service=service).values_list("starts_on", "ends_on"))
    return Schedule(service, ranges, closed)


def is_open(service: Service, at: datetime | None = None) -> bool:
    if not service.business_hours_enabled:
        return True
    return schedule(service).is_open(at or timezone.now())


def next_opening(service: Service, at: datetime | None = None) -> datetime | None:
    return schedule(service).next_opening(at or timezone.now())
