"""Reports in a real browser: a supervisor filters a report and downloads its CSV; the page on two screens."""

from __future__ import annotations

import csv
import io
import os
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.reports.conftest import week  # noqa: F401  (the hand-computed week)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "sam-supervises-1234"
VIEWPORTS = {"desktop": {"width": 1366, "height": 850}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def supervisor(django_user_model):
    return django_user_model.objects.create_user("sam", password=PASSWORD, is_staff=True)


def log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_supervisor_runs_a_report_filtered_by_service_and_label_and_downloads_the_csv(
    page,
    live_server,
    supervisor,
    week,  # noqa: F811
):
    base = live_server.url
    log_in(page, base)
    page.click("#nav-supervisor > summary")  # Supervisor is a menu of the top bar
    page.click("#nav-reports")
    page.fill("#id_start", "2026-03-02")
    page.fill("#id_end", "2026-03-08")
    page.select_option("#id_tz", "Europe/Rome")
    page.select_option("#id_service", label="Care")
    page.select_option("#id_label", label="billing")
    page.click("#report-filters button[type=submit]")
    page.wait_for_load_state()
    # #1 only: Care, labelled billing, opened Monday 09:10 in Rome, first reply after 120 s.
    assert page.inner_text("[data-figure=opened]") == "1"
    assert page.inner_text("[data-figure=first_response-median]") == "2 min 00 s"
    assert page.inner_text("[data-figure=sla]") == "0"  # the one missed target is on #3
    assert "Label: billing" in page.inner_text("#report-range")
    # The charts are images with a name and a description for screen readers.
    chart = page.get_by_role("img", name="Conversations opened by hour of day")
    assert chart.count() == 1
    assert "Busiest: 09:00–09:59 with 1 conversations opened." in (
        chart.get_attribute("aria-labelledby") and page.locator("#chart-hour-desc").text_content()
    )

    with page.expect_download() as download:
        page.click("#report-csv")
    assert download.value.suggested_filename == "occ-report-2026-03-02-2026-03-08.csv"
    body = Path(download.value.path()).read_text(encoding="utf-8")
    figures = {(r[0], r[1]): r[2] for r in list(csv.reader(io.StringIO(body)))[1:]}
    assert figures[("filter_service", "")] == "Care"
    assert figures[("filter_label", "")] == "billing"
    assert figures[("opened", "")] == "1"
    assert figures[("closed", "")] == "1"
    assert figures[("first_response_median_seconds", "")] == "120.0"
    assert figures[("resolution_median_seconds", "")] == "600.0"
    assert figures[("opened_by_hour", "09")] == "1"
    assert figures[("sla_breaches", "")] == "0"


# --- screenshots ------------------------------------------------------------------------------


def seed_month(django_user_model) -> None:
    """Three hundred conversations over February 2026, busier on weekday mornings."""
    from agents.models import AgentProfile
    from interactions.models import AssignmentEvent, CloseReason, Contact, Interaction, Label
    from services.models import Service

    rome = ZoneInfo("Europe/Rome")
    rng = random.Random(19)
    services = [Service.objects.create(name=name) for name in ("Customer care", "Sales")]
    labels = [Label.objects.create(name=name) for name in ("billing", "delivery", "complaint")]
    reasons = [CloseReason.objects.create(name=name) for name in ("Solved", "No answer")]
    agents = [
        AgentProfile.objects.create(
            user=django_user_model.objects.create_user(name, password="agent-pass-1234")
        )
        for name in ("alex", "bea", "carlo")
    ]
    for number in range(300):
        day = datetime(2026, 2, 1, tzinfo=rome) + timedelta(days=rng.randrange(28))
        hour = rng.choice([9, 9, 10, 10, 10, 11, 11, 12, 14, 15, 15, 16, 17, 18, 21])
        if day.weekday() >= 5 and rng.random() < 0.6:
            continue
        created = day.replace(hour=hour, minute=rng.randrange(60))
        abandoned = rng.random() < 0.05
        wait = timedelta(seconds=rng.randrange(5, 600))
        reply = wait + timedelta(seconds=rng.randrange(20, 900))
        close = reply + timedelta(seconds=rng.randrange(120, 5400))
        item = Interaction.objects.create(
            service=rng.choice(services),
            contact=Contact.objects.create(address=f"+3934700{number:05d}"),
            created_at=created,
            queued_at=created,
            assigned_at=None if abandoned else created + wait,
            first_assigned_at=None if abandoned else created + wait,
            first_reply_at=None if abandoned else created + reply,
            closed_at=created + (timedelta(seconds=900) if abandoned else close),
            state="closed",
            agent=None if abandoned else rng.choice(agents),
            close_reason=rng.choice([*reasons, None]),
        )
        if rng.random() < 0.5:
            item.labels.add(rng.choice(labels))
        if not abandoned:
            AssignmentEvent.objects.create(interaction=item, kind="assigned", at=created + wait)


def _fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_reports_page_with_data_fits_the_screen(
    browser, live_server, supervisor, django_user_model, tmp_path_factory, language, size
):
    seed_month(django_user_model)
    folder = os.environ.get("OCC_SCREENSHOT_DIR")
    shots = Path(folder) if folder else tmp_path_factory.mktemp("reports-screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    mobile = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    context = browser.new_context(
        locale="it-IT" if language == "it" else "en-US", viewport=VIEWPORTS[size], **mobile
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    base = live_server.url
    log_in(page, base)
    if language == "it":
        # The switch submits itself: wait for that navigation before the next one.
        with page.expect_navigation():
            page.select_option("select[name=language]", "it")
    page.goto(f"{base}/reports/?start=2026-02-01&end=2026-02-28&tz=Europe%2FRome")
    assert page.evaluate("document.documentElement.lang") == language
    assert int(page.inner_text("[data-figure=opened]").replace(".", "").replace(",", "")) > 150
    assert _fits(page, VIEWPORTS[size]["width"]), "the page is wider than the screen"
    page.screenshot(path=str(shots / f"reports-{size}-{language}.png"), full_page=True)
    page.goto(f"{base}/reports/?start=2026-02-28&end=2026-02-01")
    assert page.locator(".errorlist").count() == 1
    page.screenshot(path=str(shots / f"reports-error-{size}-{language}.png"), full_page=True)
    context.close()
