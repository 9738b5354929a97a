"""A report as data: the API's JSON and the CSV's rows, from the same figures."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from reports import definitions
from reports.selectors import Distribution, Report
from reports.sources import CSAT_SCALE

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _distribution(figures: Distribution) -> dict:
    return {"count": figures.count, "median": figures.median, "p90": figures.p90}


def as_data(report: Report, filters: dict[str, int | None]) -> dict:
    """The report as the API answers it (figures in seconds, days as ISO dates)."""
    scope = report.scope
    return {
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "time_zone": scope.tz.key,
        "filters": filters,
        "opened": report.opened,
        "closed": report.closed,
        "abandoned_in_queue": report.abandoned,
        "first_response_seconds": _distribution(report.first_response),
        "resolution_seconds": _distribution(report.resolution),
        "queue_wait_seconds": _distribution(report.queue_wait),
        "sla_breaches": {
            "recorded": report.sla is not None,
            "breaches": report.sla.breaches if report.sla else None,
            "conversations": report.sla.conversations if report.sla else None,
        },
        "csat": {
            "recorded": report.csat is not None,
            "responses": report.csat.responses if report.csat else None,
            "average": report.csat.average if report.csat else None,
            "distribution": (
                {str(score): report.csat.distribution.get(score, 0) for score in CSAT_SCALE}
                if report.csat
                else None
            ),
        },
        "opened_by_hour": report.by_hour,
        "opened_by_weekday": dict(zip(WEEKDAYS, report.by_weekday, strict=True)),
        "daily": [
            {"date": day.isoformat(), "opened": opened, "closed": closed}
            for day, opened, closed in report.daily
        ],
    }


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def csv_rows(report: Report, filter_names: dict[str, str]) -> list[list[str]]:
    """measure, bucket, value, description: one figure a row, numbers unformatted (dot decimals).

    A measure OCC does not record yet has the value "not_recorded".
    """
    scope = report.scope
    rows: list[list[str]] = [["measure", "bucket", "value", "description"]]

    def add(measure: str, value, description: str, bucket: str = "") -> None:
        rows.append([measure, bucket, "" if value is None else str(value), description])

    add("range_start", scope.start.isoformat(), pgettext("reports", "From"))
    add("range_end", scope.end.isoformat(), pgettext("reports", "To (included)"))
    add("time_zone", scope.tz.key, pgettext("reports", "Time zone"))
    add("filter_service", filter_names["service"], _("Service"))
    add("filter_agent", filter_names["agent"], _("Agent"))
    add("filter_label", filter_names["label"], pgettext("reports", "Label"))
    add("filter_close_reason", filter_names["close_reason"], pgettext("reports", "Close reason"))
    add("opened", report.opened, definitions.title("opened"))
    add("closed", report.closed, definitions.title("closed"))
    add("abandoned_in_queue", report.abandoned, definitions.title("abandoned"))
    for key, figures in (
        ("first_response", report.first_response),
        ("resolution", report.resolution),
        ("queue_wait", report.queue_wait),
    ):
        title = definitions.title(key)
        add(f"{key}_count", figures.count, title + " · " + pgettext("reports", "conversations"))
        add(
            f"{key}_median_seconds",
            _seconds(figures.median),
            title + " · " + pgettext("reports", "median"),
        )
        add(
            f"{key}_p90_seconds",
            _seconds(figures.p90),
            title + " · " + pgettext("reports", "90th percentile"),
        )
    sla_title = definitions.title("sla")
    if report.sla is None:
        add(
            "sla_breaches",
            "not_recorded",
            sla_title + " · " + pgettext("reports", "not recorded yet"),
        )
    else:
        add("sla_breaches", report.sla.breaches, sla_title)
        add("sla_breached_conversations", report.sla.conversations, sla_title)
    csat_title = definitions.title("csat")
    if report.csat is None:
        add(
            "csat_average",
            "not_recorded",
            csat_title + " · " + pgettext("reports", "not recorded yet"),
        )
    else:
        add(
            "csat_responses",
            report.csat.responses,
            csat_title + " · " + pgettext("reports", "answers"),
        )
        average = report.csat.average
        add("csat_average", "" if average is None else f"{average:.2f}", csat_title)
        for score in CSAT_SCALE:
            add("csat_score", report.csat.distribution.get(score, 0), csat_title, str(score))
    for hour, count in enumerate(report.by_hour):
        add("opened_by_hour", count, definitions.title("opened"), f"{hour:02d}")
    for weekday, count in zip(WEEKDAYS, report.by_weekday, strict=True):
        add("opened_by_weekday", count, definitions.title("opened"), weekday)
    for day, opened, closed in report.daily:
        add("opened_by_day", opened, definitions.title("opened"), day.isoformat())
        add("closed_by_day", closed, definitions.title("closed"), day.isoformat())
    return rows


def to_csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        # A cell starting with = + - @ is a formula to a spreadsheet: quoted as text.
        writer.writerow(["'" + cell if cell[:1] in ("=", "+", "-", "@") else cell for cell in row])
    return out.getvalue()
