"""The Reports page, its CSV and GET /api/v1/reports/: who may read them and what they say."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

WEEK = {"start": "2026-03-02", "end": "2026-03-08", "tz": "Europe/Rome"}


@pytest.fixture
def supervisor_client(client, week, django_user_model):
    user = django_user_model.objects.create_user("sam", password="s-pass-123456", is_staff=True)
    client.force_login(user)
    return client


def csv_of(response) -> dict[tuple[str, str], str]:
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["measure", "bucket", "value", "description"]
    return {(row[0], row[1]): row[2] for row in rows[1:]}


class TestWhoMayRead:
    @pytest.mark.parametrize("name", ["reports:index", "reports:csv"])
    def test_agents_are_refused(self, client, week, name):
        client.force_login(week.xavier.user)
        assert client.get(reverse(name), WEEK).status_code == 403

    def test_anonymous_visitors_go_to_the_login_page(self, client, db):
        response = client.get(reverse("reports:index"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_the_api_refuses_agents(self, client, week):
        client.force_login(week.xavier.user)
        assert client.get("/api/v1/reports/", WEEK).status_code == 403

    def test_the_console_and_the_supervisor_view_link_to_reports(self, supervisor_client):
        assert (
            reverse("reports:index")
            in supervisor_client.get(reverse("agents:supervisor")).content.decode()
        )
        page = supervisor_client.get(reverse("services:list")).content.decode()
        assert 'id="nav-reports"' in page


class TestPage:
    def test_shows_the_figures_and_the_definitions(self, supervisor_client):
        response = supervisor_client.get(reverse("reports:index"), WEEK)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-figure="opened">6<' in page
        assert 'data-figure="abandoned">1<' in page
        assert 'data-figure="first_response-median">3 min 20 s<' in page  # 200 s
        assert 'data-figure="resolution-p90">44 min 00 s<' in page  # 2640 s
        assert 'data-figure="queue_wait-median">1 min 00 s<' in page
        assert "From the customer&#x27;s first message to the first reply an agent sent" in page
        assert page.count('role="img"') == 3 and '<title id="chart-hour-title">' in page
        assert "Busiest: Monday with 2 conversations opened." in page

    def test_sla_breaches_and_csat_come_from_their_records(self, supervisor_client):
        page = supervisor_client.get(reverse("reports:index"), WEEK).content.decode()
        assert 'data-figure="sla">1<' in page
        assert 'data-figure="csat">3.00<' in page  # (4 + 2) / 2

    def test_filters_narrow_the_figures(self, supervisor_client, week):
        query = {**WEEK, "service": week.care.pk, "label": week.billing.pk}
        page = supervisor_client.get(reverse("reports:index"), query).content.decode()
        assert 'data-figure="opened">1<' in page
        assert "Label: <strong>billing</strong>" in page

    def test_an_impossible_range_is_refused_with_the_reason(self, supervisor_client):
        response = supervisor_client.get(reverse("reports:index"), {**WEEK, "start": "2026-03-09"})
        assert response.status_code == 400
        assert "The end day is before the start day." in response.content.decode()
        assert 'data-figure="opened"' not in response.content.decode()

    def test_italian_words_numbers_and_dates(self, supervisor_client, week):
        supervisor_client.cookies["django_language"] = "it"
        page = supervisor_client.get(reverse("reports:index"), WEEK).content.decode()
        assert "Tempo di prima risposta" in page
        assert "02 Marzo 2026" in page  # Django's Italian DATE_FORMAT
        assert "lunedì" in page.lower()
        assert "Conversations opened" not in page

    def test_opens_without_parameters_on_the_last_30_days(self, supervisor_client):
        response = supervisor_client.get(reverse("reports:index"))
        assert response.status_code == 200
        assert 'data-figure="opened">0<' in response.content.decode()


class TestCsv:
    def test_has_the_page_figures(self, supervisor_client):
        figures = csv_of(supervisor_client.get(reverse("reports:csv"), WEEK))
        assert figures[("opened", "")] == "6"
        assert figures[("closed", "")] == "5"
        assert figures[("abandoned_in_queue", "")] == "1"
        assert figures[("first_response_median_seconds", "")] == "200.0"
        assert figures[("first_response_p90_seconds", "")] == "360.0"
        assert figures[("queue_wait_p90_seconds", "")] == "96.0"
        assert figures[("resolution_median_seconds", "")] == "660.0"
        assert figures[("sla_breaches", "")] == "1"
        assert figures[("csat_average", "")] in {"3.0", "3", "3.00"}
        assert figures[("opened_by_weekday", "wednesday")] == "1"
        assert figures[("opened_by_hour", "09")] == "2"
        assert figures[("closed_by_day", "2026-03-02")] == "3"
        assert figures[("time_zone", "")] == "Europe/Rome"

    def test_filtered_and_named_after_its_range(self, supervisor_client, week):
        query = {**WEEK, "close_reason": week.solved.pk}
        response = supervisor_client.get(reverse("reports:csv"), query)
        assert response["Content-Disposition"] == (
            'attachment; filename="occ-report-2026-03-02-2026-03-08.csv"'
        )
        figures = csv_of(response)
        assert figures[("filter_close_reason", "")] == "solved"
        assert figures[("closed", "")] == "2"
        assert figures[("resolution_p90_seconds", "")] == "3306.0"

    def test_a_name_that_looks_like_a_formula_stays_text(self, supervisor_client, week):
        week.billing.name = "=HYPERLINK(1)"
        week.billing.save()
        body = supervisor_client.get(
            reverse("reports:csv"), {**WEEK, "label": week.billing.pk}
        ).content.decode()
        assert "'=HYPERLINK(1)" in body


class TestApi:
    def test_answers_the_same_figures(self, supervisor_client, week):
        response = supervisor_client.get("/api/v1/reports/", {**WEEK, "service": week.care.pk})
        assert response.status_code == 200
        data = response.json()
        assert data["opened"] == 5 and data["closed"] == 4 and data["abandoned_in_queue"] == 1
        assert data["first_response_seconds"] == {"count": 4, "median": 250.0, "p90": 370.0}
        assert data["sla_breaches"] == {"recorded": True, "breaches": 1, "conversations": 1}
        assert data["csat"]["recorded"] is True and data["csat"]["average"] == 3.0
        assert data["opened_by_weekday"]["monday"] == 2
        assert len(data["opened_by_hour"]) == 24 and len(data["daily"]) == 7
        assert data["filters"]["service"] == week.care.pk
        assert data["time_zone"] == "Europe/Rome"

    def test_refuses_a_range_too_long_in_the_api_error_shape(self, supervisor_client):
        response = supervisor_client.get(
            "/api/v1/reports/", {"start": "2024-01-01", "end": "2026-01-01"}
        )
        assert response.status_code == 400
        assert response.json()["code"] == "invalid" and "end" in response.json()["errors"]

    def test_is_in_the_openapi_description(self, client, db):
        schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        operation = schema["paths"]["/api/v1/reports/"]["get"]
        assert {p["name"] for p in operation["parameters"]} >= {
            "start",
            "end",
            "tz",
            "service",
            "agent",
            "label",
            "close_reason",
        }
        assert "Report" in schema["components"]["schemas"]
