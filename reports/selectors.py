"""The figures of a report: conversations over a date range, filtered by service, agent, label, close reason.

Every figure is defined once here (the page writes the same definitions
out, reports/definitions.py) and read by the page, the CSV and the API:

- a conversation is *opened* in the range when it was created in it, and
  *closed* in the range when it was closed in it (the range is whole days
  in the report's time zone, the end day included);
- *first response*: from the conversation's creation (the customer's first
  message) to the first reply an agent sent, over conversations opened in
  the range that got one;
- *resolution*: from creation to close, over conversations closed in the range;
- *waiting in the queue*: from entering the queue to the first assignment to
  an agent, over conversations opened in the range that were assigned;
- *abandoned in the queue*: conversations closed in the range that were
  never assigned to an agent;
- *volume by hour and weekday*: conversations opened in the range, by the
  local hour and weekday of their creation.

Medians and 90th percentiles are continuous (linear interpolation between
the two nearest values, as PostgreSQL's percentile_cont): computed in the
database on PostgreSQL, in Python from the same rows elsewhere (SQLite).
The agent filter keeps the conversations the agent holds or last held.

Speed on PostgreSQL (docs/benchmarks.md): both percentiles of a measure
come from one sort (`percentile_cont(ARRAY[0.5, 0.9])`), in a transaction
with enough `work_mem` to sort in memory; the counts by local day and hour
are grouped by 15-minute UTC buckets (`date_bin`, no time-zone conversion
per row) and each bucket is placed in its local day and hour here. That is
exact whenever each bucket lies within one local hour, which every time
zone's offsets in use today (whole, half and quarter hours) give; when one
does not (a historical offset such as −0:44:30), the general query, which
converts each row, answers instead. tests/reports/test_equivalence.py runs
both on the same rows and compares them with a plain computation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
)
from django.db.models.functions import ExtractHour, TruncDate

from interactions.models import Interaction
from reports import sources

# A longer range would still be right, only slower and unreadable as a chart.
MAX_DAYS = 366


@dataclass(frozen=True)
class Scope:
    """What a report covers: whole days start..end (both included) in `tz`, and the filters."""

    start: date
    end: date
    tz: ZoneInfo
    service_id: int | None = None
    agent_id: int | None = None
    label_id: int | None = None
    close_reason_id: int | None = None

    @property
    def start_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=self.tz)

    @property
    def end_at(self) -> datetime:
        """The first moment after the range (midnight after the end day)."""
        after = self.end + timedelta(days=1)
        return datetime(after.year, after.month, after.day, tzinfo=self.tz)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Distribution:
    """Durations in seconds: how many, their median and 90th percentile (None when there are none)."""

    count: int
    median: float | None
    p90: float | None


@dataclass(frozen=True)
class Report:
    scope: Scope
    opened: int
    closed: int
    abandoned: int
    first_response: Distribution
    resolution: Distribution
    queue_wait: Distribution
    # None: not recorded yet (reports/sources.py).
    sla: sources.SlaFigures | None
    csat: sources.CsatFigures | None
    # 7 rows (Monday first) × 24 hours of conversations opened.
    heatmap: list[list[int]]
    # (day, opened, closed) for every day of the range.
    daily: list[tuple[date, int, int]] = field(default_factory=list)

    @property
    def by_hour(self) -> list[int]:
        return [sum(row[hour] for row in self.heatmap) for hour in range(24)]

    @property
    def by_weekday(self) -> list[int]:
        return [sum(row) for row in self.heatmap]


# --- the database's side ---------------------------------------------------------------------


class EpochSeconds(Func):
    """Seconds from the second expression to the first (PostgreSQL): EXTRACT(EPOCH FROM (a - b))."""

    arg_joiner = " - "
    template = "CAST(EXTRACT(EPOCH FROM (%(expressions)s)) AS double precision)"
    output_field = FloatField()


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of the expression (NULLs ignored)."""

    function = "percentile_cont"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("a percentile is a fraction between 0 and 1")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


class MedianAndP90(Aggregate):
    """PostgreSQL: [median, 90th percentile] of the expression from one sort (NULLs ignored)."""

    function = "percentile_cont"
    name = "MedianAndP90"
    template = "%(function)s(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, **extra):
        from django.contrib.postgres.fields import ArrayField

        super().__init__(expression, output_field=ArrayField(FloatField()), **extra)


class UtcBucket(Func):
    """PostgreSQL: the start of the 15-minute UTC bucket holding the timestamp (date_bin)."""

    template = "date_bin('15 minutes', %(expressions)s, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
    output_field = DateTimeField()


BUCKET = timedelta(minutes=15)
# Sorting a 90-day range's 120,000 durations in memory (the default 4 MB spills to disk).
REPORT_WORK_MEM = "32MB"


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The continuous percentile of ascending values, as percentile_cont computes it."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low, high = math.floor(position), math.ceil(position)
    below, above = sorted_values[low], sorted_values[high]
    return below + (above - below) * (position - low)


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def durations(
    queryset: QuerySet, measures: dict[str, tuple[str, str]], **counts: Aggregate
) -> tuple[dict[str, Distribution], dict[str, int]]:
    """Each measure name → (start field, end field) as a Distribution of end − start; and `counts`.

    A row counts in a measure when both its fields are set. On PostgreSQL
    it is one query (percentile_cont ignores NULLs); elsewhere the rows'
    fields are read and the same percentiles computed here.
    """
    if _is_postgresql(queryset):
        aggregates: dict[str, Aggregate] = dict(counts)
        for name, (start, end) in measures.items():
            # Counting one of the fields: the same rows as counting the difference, one expression less.
            aggregates[f"{name}__n"] = Count(end, filter=Q(**{f"{start}__isnull": False}))
            aggregates[f"{name}__p"] = MedianAndP90(EpochSeconds(F(end), F(start)))
        row = queryset.aggregate(**aggregates)
        found = {}
        for name in measures:
            median, p90 = row[f"{name}__p"] or (None, None)
            found[name] = Distribution(row[f"{name}__n"], median, p90)
        return found, {name: row[name] for name in counts}
    fields = sorted({name for pair in measures.values() for name in pair})
    values: dict[str, list[float]] = {name: [] for name in measures}
    for row in queryset.values(*fields).iterator():
        for name, (start, end) in measures.items():
            if row[start] is not None and row[end] is not None:
                values[name].append((row[end] - row[start]).total_seconds())
    found = {}
    for name, listed in values.items():
        listed.sort()
        found[name] = Distribution(len(listed), percentile(listed, 0.5), percentile(listed, 0.9))
    return found, (queryset.aggregate(**counts) if counts else {})


# --- the report --------------------------------------------------------------------------------


def scoped(scope: Scope) -> QuerySet:
    """The conversations the filters keep, whatever their dates."""
    queryset = Interaction.objects.all()
    if scope.service_id:
        queryset = queryset.filter(service_id=scope.service_id)
    if scope.agent_id:
        queryset = queryset.filter(agent_id=scope.agent_id)
    if scope.label_id:
        queryset = queryset.filter(labels=scope.label_id)
    if scope.close_reason_id:
        queryset = queryset.filter(close_reason_id=scope.close_reason_id)
    return queryset


def opened(scope: Scope) -> QuerySet:
    return scoped(scope).filter(created_at__gte=scope.start_at, created_at__lt=scope.end_at)


def closed(scope: Scope) -> QuerySet:
    return scoped(scope).filter(closed_at__gte=scope.start_at, closed_at__lt=scope.end_at)


def opened_by_day_and_hour(scope: Scope) -> dict[tuple[date, int], int]:
    """Conversations opened, by local day and hour of their creation (one query for two charts)."""
    queryset = opened(scope)
    if _is_postgresql(queryset):
        found = local_hours(utc_buckets(queryset, "created_at"), scope.tz)
        if found is not None:
            return found
    return opened_by_day_and_hour_converting(scope)


def opened_by_day_and_hour_converting(scope: Scope) -> dict[tuple[date, int], int]:
    """The general query: each row's creation converted to the report's time zone in the database."""
    rows = (
        opened(scope)
        .annotate(
            day=TruncDate("created_at", tzinfo=scope.tz),
            hour=ExtractHour("created_at", tzinfo=scope.tz),
        )
        .values("day", "hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(row["day"], row["hour"]): row["n"] for row in rows}


def utc_buckets(queryset: QuerySet, field: str) -> dict[int, int]:
    """PostgreSQL: rows of `queryset` by the 15-minute UTC bucket of `field`, keyed by the
    bucket's start in seconds since 1970 (integers: 8,640 datetimes parsed by Django's
    loader cost more than the query)."""
    grouped = (
        queryset.annotate(bucket=UtcBucket(field)).values("bucket").annotate(n=Count("pk"))
    ).order_by()
    sql, params = grouped.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(EXTRACT(EPOCH FROM bucket) AS bigint), n FROM ({sql}) AS buckets",
            params,
        )
        return dict(cursor.fetchall())


def local_hours(buckets: dict[int, int], tz: ZoneInfo) -> dict[tuple[date, int], int] | None:
    """The buckets' counts by local (day, hour); None when a bucket does not lie within one local hour.

    A bucket's first and last second are read in `tz` (offsets change on whole seconds).
    """
    found: dict[tuple[date, int], int] = {}
    last = int(BUCKET.total_seconds()) - 1
    for start, n in buckets.items():
        first, end = datetime.fromtimestamp(start, tz), datetime.fromtimestamp(start + last, tz)
        key = (first.date(), first.hour)
        if key != (end.date(), end.hour):
            return None
        found[key] = found.get(key, 0) + n
    return found


def closed_by_day(scope: Scope) -> dict[date, int]:
    """Conversations closed, by local day of their close."""
    queryset = closed(scope)
    if _is_postgresql(queryset):
        hours = local_hours(utc_buckets(queryset, "closed_at"), scope.tz)
        if hours is not None:
            days: dict[date, int] = {}
            for (day, _hour), n in hours.items():
                days[day] = days.get(day, 0) + n
            return days
    return closed_by_day_converting(scope)


def closed_by_day_converting(scope: Scope) -> dict[date, int]:
    """The general query: each row's close converted to the report's time zone in the database."""
    rows = (
        closed(scope)
        .annotate(day=TruncDate("closed_at", tzinfo=scope.tz))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["day"]: row["n"] for row in rows}


def heatmap(by_day_and_hour: dict[tuple[date, int], int]) -> list[list[int]]:
    """7 rows (Monday first) × 24 hours."""
    grid = [[0] * 24 for _ in range(7)]
    for (day, hour), n in by_day_and_hour.items():
        grid[day.isoweekday() - 1][hour] += n
    return grid


def daily(
    scope: Scope, by_day_and_hour: dict[tuple[date, int], int]
) -> list[tuple[date, int, int]]:
    """(day, opened, closed) for every day of the range, days without any included."""
    opened_by_day: dict[date, int] = {}
    for (day, _hour), n in by_day_and_hour.items():
        opened_by_day[day] = opened_by_day.get(day, 0) + n
    by_closing_day = closed_by_day(scope)
    return [(day, opened_by_day.get(day, 0), by_closing_day.get(day, 0)) for day in scope.days]


def report(scope: Scope) -> Report:
    """Every figure of the report for `scope` (definitions in this module's docstring)."""
    if connections[Interaction.objects.db].vendor != "postgresql":
        return _report(scope)
    with transaction.atomic(using=Interaction.objects.db):
        with connections[Interaction.objects.db].cursor() as cursor:
            # Only for this transaction (SET LOCAL): the reports' sorts stay in memory.
            cursor.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        return _report(scope)


def _report(scope: Scope) -> Report:
    opened_figures, opened_counts = durations(
        opened(scope),
        {
            "first_response": ("created_at", "first_reply_at"),
            "queue_wait": ("queued_at", "first_assigned_at"),
        },
        opened=Count("pk"),
    )
    closed_figures, closed_counts = durations(
        closed(scope),
        {"resolution": ("created_at", "closed_at")},
        closed=Count("pk"),
        abandoned=Count("pk", filter=Q(assigned_at__isnull=True)),
    )
    by_day_and_hour = opened_by_day_and_hour(scope)
    return Report(
        scope=scope,
        opened=opened_counts["opened"],
        closed=closed_counts["closed"],
        abandoned=closed_counts["abandoned"],
        first_response=opened_figures["first_response"],
        resolution=closed_figures["resolution"],
        queue_wait=opened_figures["queue_wait"],
        sla=sources.sla_breaches(opened(scope)),
        csat=sources.csat(closed(scope)),
        heatmap=heatmap(by_day_and_hour),
        daily=daily(scope, by_day_and_hour),
    )
