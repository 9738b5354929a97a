"""The report's figures against the hand-computed week of tests/reports/conftest.py (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import selectors, sources
from reports.selectors import Distribution, percentile


def approx(distribution: Distribution, count: int, median: float, p90: float) -> None:
    assert distribution.count == count
    assert distribution.median == pytest.approx(median)
    assert distribution.p90 == pytest.approx(p90)


class TestPercentile:
    def test_interpolates_between_the_two_nearest_values(self):
        assert percentile([10, 20, 30, 40], 0.5) == 25
        assert percentile([50, 120, 200, 300, 400], 0.9) == pytest.approx(360)

    def test_ends_and_single_value(self):
        assert percentile([7], 0.9) == 7
        assert percentile([1, 2, 3], 0) == 1 and percentile([1, 2, 3], 1) == 3

    def test_nothing_has_no_percentile(self):
        assert percentile([], 0.5) is None

    def test_the_database_aggregate_refuses_what_is_not_a_fraction(self):
        with pytest.raises(ValueError):
            selectors.PercentileCont("id", 90)


class TestWholeWeek:
    def test_counts_opened_closed_and_abandoned(self, scope):
        report = selectors.report(scope())
        assert (report.opened, report.closed, report.abandoned) == (6, 5, 1)

    def test_first_response_median_and_p90(self, scope):
        approx(selectors.report(scope()).first_response, 5, 200, 360)

    def test_queue_wait_counts_to_the_first_assignment_not_a_later_transfer(self, scope):
        approx(selectors.report(scope()).queue_wait, 5, 60, 96)

    def test_resolution_over_conversations_closed_in_the_range(self, scope):
        approx(selectors.report(scope()).resolution, 5, 660, 2640)

    def test_days_are_local_days(self, scope, week):
        """#3 (Tue 23:30 UTC) opened on Wednesday; #6 (Sun 23:10 UTC) after the range."""
        report = selectors.report(scope())
        assert report.by_weekday == [2, 0, 1, 1, 1, 1, 0]
        assert report.by_hour[0] == 1 and report.by_hour[9] == 2
        assert report.by_hour[23] == 0
        assert sum(report.by_hour) == 6
        assert report.heatmap[2][0] == 1  # Wednesday, 00:00–01:00

    def test_daily_opened_and_closed(self, scope):
        daily = selectors.report(scope()).daily
        assert len(daily) == 7
        assert daily[0] == (date(2026, 3, 2), 2, 3)  # #5 closed Monday 00:10
        assert daily[2] == (date(2026, 3, 4), 1, 0)
        assert daily[5] == (date(2026, 3, 7), 1, 1)
        assert daily[6] == (date(2026, 3, 8), 0, 0)

    def test_sla_breaches_and_csat_come_from_their_records(self, scope):
        report = selectors.report(scope())
        assert (report.sla.breaches, report.sla.conversations) == (1, 1)
        assert (report.csat.responses, report.csat.average) == (2, 3.0)
        assert report.csat.distribution == {1: 0, 2: 1, 3: 0, 4: 1, 5: 0}


class TestFilters:
    def test_service(self, scope, week):
        report = selectors.report(scope(service_id=week.care.pk))
        assert (report.opened, report.closed, report.abandoned) == (5, 4, 1)
        approx(report.first_response, 4, 250, 370)
        approx(report.resolution, 4, 930, 2880)

    def test_label(self, scope, week):
        report = selectors.report(scope(label_id=week.billing.pk))
        assert report.opened == 2
        approx(report.first_response, 2, 85, 113)

    def test_close_reason(self, scope, week):
        report = selectors.report(scope(close_reason_id=week.solved.pk))
        assert report.closed == 2 and report.opened == 1
        approx(report.resolution, 2, 2130, 3306)

    def test_agent_keeps_what_they_hold_or_last_held(self, scope, week):
        report = selectors.report(scope(agent_id=week.xavier.pk))
        assert (report.opened, report.closed) == (2, 2)
        approx(report.queue_wait, 2, 45, 57)

    def test_nothing_matches(self, scope, week):
        report = selectors.report(scope(service_id=week.sales.pk, close_reason_id=week.solved.pk))
        assert (report.opened, report.closed) == (0, 0)
        assert report.first_response == Distribution(0, None, None)
        assert report.by_hour == [0] * 24


@pytest.mark.postgres
def test_postgresql_computes_the_percentiles_in_the_database(scope):
    with CaptureQueriesContext(connection) as queries:
        selectors.report(scope())
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    # One sort per measure: both percentiles from the same percentile_cont.
    assert sql.count("percentile_cont(ARRAY[0.5, 0.9])") == 3
    # The rows themselves are never fetched: aggregates only.
    assert all(
        "GROUP BY" in q["sql"] or "percentile_cont" in q["sql"] or "COUNT" in q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
    )
    # The sorts have their memory, for this transaction only.
    assert f"SET LOCAL work_mem = '{selectors.REPORT_WORK_MEM}'" in sql


def test_csat_figures_has_every_score():
    figures = sources.csat_figures([5, 4, 5, 1])
    assert figures.responses == 4 and figures.average == pytest.approx(3.75)
    assert figures.distribution == {1: 1, 2: 0, 3: 0, 4: 1, 5: 2}
    assert sources.csat_figures([]).average is None
