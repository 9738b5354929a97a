"""An administrator sets a service's business hours and automatic messages in Chromium; the pages at two sizes, in two languages."""

from __future__ import annotations

import os
from datetime import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1366, "height": 850}, "phone": {"width": 390, "height": 844}}


def log_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "admin-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_administrator_sets_business_hours_and_messages(page, live_server, admin_user, service):
    from audit.models import AuditEntry
    from services.models import Closure, OpeningRange, ServiceMessage

    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/services/")
    page.locator("#service-table tbody tr", has_text="Customer care").get_by_role(
        "link", name="Hours"
    ).click()
    page.wait_for_url("**/hours/")
    assert "Always open" in page.inner_text("#hours-now")

    page.get_by_label("Use business hours").check()
    page.get_by_label("Queue the conversation for the next opening").check()
    page.get_by_label("Reply outside business hours").check()
    # Monday morning and afternoon: two ranges on one day.
    page.select_option("#id_ranges-0-weekday", "0")
    page.fill("#id_ranges-0-opens", "09:00")
    page.fill("#id_ranges-0-closes", "13:00")
    page.select_option("#id_ranges-1-weekday", "0")
    page.fill("#id_ranges-1-opens", "14:00")
    page.fill("#id_ranges-1-closes", "18:00")
    # A range that ends before it starts is refused, next to it.
    page.select_option("#id_ranges-2-weekday", "1")
    page.fill("#id_ranges-2-opens", "18:00")
    page.fill("#id_ranges-2-closes", "08:00")
    page.fill("#id_closures-0-starts_on", "2026-12-24")
    page.fill("#id_closures-0-ends_on", "2026-12-26")
    page.fill("#id_closures-0-note", "Christmas")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "The closing time must be after the opening time" in page.inner_text("#ranges")
    assert not OpeningRange.objects.exists()
    page.fill("#id_ranges-2-closes", "19:00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".flash li")
    assert "Business hours of “Customer care” saved." in page.inner_text(".flash")
    assert sorted(OpeningRange.objects.values_list("weekday", "opens", "closes")) == [
        (0, time(9), time(13)),
        (0, time(14), time(18)),
        (1, time(18), time(19)),
    ]
    assert Closure.objects.get().note == "Christmas"
    assert page.input_value("#id_ranges-1-opens") == "14:00"  # shown again as saved
    assert ("Open now" in page.inner_text("#hours-now")) or (
        "Opens again" in page.inner_text("#hours-now")
    )

    # The automatic messages: an unknown placeholder is refused, then the text is saved.
    page.get_by_role("link", name="Automatic messages").click()
    page.wait_for_url("**/automatic-messages/")
    italian = page.locator("#id_out_of_hours__it")
    assert "riapriamo {opening_time}" in italian.get_attribute("placeholder")
    italian.fill("Siamo chiusi, riapriamo {apertura}.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Unknown placeholder {apertura}" in page.inner_text("#field-out_of_hours__it")
    page.locator("#id_out_of_hours__it").fill("Siamo chiusi, riapriamo {opening_time}.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".flash li")
    assert ServiceMessage.objects.get().body == "Siamo chiusi, riapriamo {opening_time}."
    assert AuditEntry.objects.filter(object_type="services.ServiceMessage").exists()
    assert AuditEntry.objects.filter(object_type="services.OpeningRange").count() == 3


def _shots_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("OCC_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("automation-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_pages_fit_the_screen(
    browser, live_server, admin_user, service, agent, tmp_path_factory, language, size
):
    from django.utils import timezone

    from interactions.models import Contact, Interaction, SlaBreach
    from services.models import Closure, OpeningRange

    service.business_hours_enabled = True
    service.first_response_minutes = 5
    service.save()
    for weekday in range(5):
        OpeningRange.objects.create(
            service=service, weekday=weekday, opens=time(9), closes=time(13)
        )
        OpeningRange.objects.create(
            service=service, weekday=weekday, opens=time(14), closes=time(18)
        )
    Closure.objects.create(
        service=service, starts_on="2026-12-24", ends_on="2026-12-26", note="Natale"
    )
    contact = Contact.objects.create(address="+393331112233", name="Lia Bianchi")
    interaction = Interaction.objects.create(service=service, contact=contact)
    SlaBreach.objects.create(
        interaction=interaction,
        service=service,
        agent=agent,
        target_minutes=5,
        assigned_at=timezone.now(),
        outcome="requeued",
    )
    base = live_server.url
    shots = _shots_dir(tmp_path_factory)
    locale = "it-IT" if language == "it" else "en-US"
    mobile = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    context = browser.new_context(locale=locale, viewport=VIEWPORTS[size], **mobile)
    page = context.new_page()
    page.set_default_timeout(10_000)
    misfits = []

    def shot(name: str) -> None:
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == language, name
        if page.evaluate("document.documentElement.scrollWidth") > VIEWPORTS[size]["width"]:
            misfits.append(name)
        page.screenshot(path=str(shots / f"{name}-{size}-{language}.png"), full_page=True)

    log_in(page, base)
    page.goto(f"{base}/services/{service.pk}/hours/")
    shot("hours")
    page.goto(f"{base}/services/{service.pk}/automatic-messages/")
    shot("messages")
    page.goto(f"{base}/services/{service.pk}/")
    shot("service-form")
    page.goto(f"{base}/desk/supervisor/")
    page.wait_for_selector("#automation")
    page.locator("#automation").screenshot(
        path=str(shots / f"supervisor-automation-{size}-{language}.png")
    )
    if language == "it":
        text = page.inner_text("#automation")
        assert "Orari di apertura e obiettivi di prima risposta" in text
        assert "tornata in testa alla coda" in text
    context.close()
    assert misfits == []
