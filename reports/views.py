"""Reports (supervisors and administrators): the page and its CSV, from reports/selectors.py."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from agents.roles import is_supervisor
from reports import charts, definitions, exports, selectors
from reports.forms import ReportForm


def supervisor_required(view):
    """Anonymous visitors go to the login page; signed-in agents get 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_supervisor(request.user):
            raise PermissionDenied("Only supervisors and administrators can read reports.")
        return view(request, *args, **kwargs)

    return wrapper


def weekday_names() -> list[str]:
    """Monday first, in the page's language (Django's own translations)."""
    return [str(WEEKDAYS[i]) for i in range(7)]


def _peak(labels: list[str], values: list[int]) -> str:
    """The chart's text alternative: its busiest bucket, or that there was nothing."""
    if not any(values):
        return _("No conversation was opened in this range.")
    top = max(values)
    return _("Busiest: %(label)s with %(count)s conversations opened.") % {
        "label": labels[values.index(top)],
        "count": formats.number_format(top, 0, force_grouping=True),
    }


def _daily_svg(report: selectors.Report, days: list[str]) -> str:
    summary = _("%(opened)s opened and %(closed)s closed over %(days)s days.") % {
        "opened": formats.number_format(report.opened, 0, force_grouping=True),
        "closed": formats.number_format(report.closed, 0, force_grouping=True),
        "days": formats.number_format(len(days), 0, force_grouping=True),
    }
    chart = charts.line_chart(
        days,
        [
            (pgettext("reports", "Opened"), "series-opened", [o for _d, o, _c in report.daily]),
            (pgettext("reports", "Closed"), "series-closed", [c for _d, _o, c in report.daily]),
        ],
    )
    return charts.svg(
        chart,
        id="chart-daily",
        title=pgettext("reports", "Conversations opened and closed per day"),
        summary=summary,
    )


def chart_context(report: selectors.Report) -> dict:
    hours = [f"{hour:02d}" for hour in range(24)]
    days = [formats.date_format(day, "SHORT_DATE_FORMAT") for day, _o, _c in report.daily]
    # Under the chart's axis: short, day and month in the page's language.
    axis_days = [formats.date_format(day, "j M") for day, _o, _c in report.daily]
    weekdays = weekday_names()
    opened_daily = [opened for _d, opened, _c in report.daily]
    closed_daily = [closed for _d, _o, closed in report.daily]
    return {
        "hour_svg": charts.svg(
            charts.bar_chart(hours, report.by_hour, label_every=3),
            id="chart-hour",
            title=pgettext("reports", "Conversations opened by hour of day"),
            summary=_peak([f"{h}:00–{h}:59" for h in hours], report.by_hour),
        ),
        "hours": hours,
        "weekday_svg": charts.svg(
            charts.bar_chart([w[:3] for w in weekdays], report.by_weekday),
            id="chart-weekday",
            title=pgettext("reports", "Conversations opened by weekday"),
            summary=_peak(weekdays, report.by_weekday),
        ),
        "weekday_rows": list(
            zip(weekdays, report.by_weekday, _heat_levels(report.heatmap), strict=True)
        ),
        "daily_rows": list(zip(days, opened_daily, closed_daily, strict=True)),
        "daily_svg": _daily_svg(report, axis_days),
    }


def _heat_levels(grid: list[list[int]]) -> list[list[tuple[int, int]]]:
    """Each cell as (count, level 0–4) for the heat map's CSS classes."""
    top = max((max(row) for row in grid), default=0)
    return [
        [(value, 0 if not value else min(4, 1 + (value * 4 - 1) // top)) for value in row]
        for row in grid
    ]


@supervisor_required
@require_GET
def index(request):
    form = ReportForm(request.GET)
    context: dict = {"form": form, "definitions": definitions.MEASURES}
    if form.is_valid():
        report = selectors.report(form.scope())
        context.update(
            report=report,
            filter_names=form.filter_names(),
            query=request.GET.urlencode(),
            **chart_context(report),
        )
    return render(request, "reports/index.html", context, status=200 if form.is_valid() else 400)


@supervisor_required
@require_GET
def export_csv(request):
    form = ReportForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(
                f"{field}: {' '.join(str(e) for e in errors)}"
                for field, errors in form.errors.items()
            ),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    scope = form.scope()
    report = selectors.report(scope)
    body = exports.to_csv(exports.csv_rows(report, form.filter_names()))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"occ-report-{scope.start.isoformat()}-{scope.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
