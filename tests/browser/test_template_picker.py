"""The template picker and a business-initiated conversation, in Chromium, against the sandbox.

OCC is served as scripts/run.sh serves it (the fixture of test_desk.py: its
own SQLite, the sandbox's fake Twilio over HTTP); the demo account's
templates are synced from the fake's Content API. Screenshots at 1366×850
and 390×844, in English and Italian, go to $OCC_SHOTS (when set).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.browser.test_desk import ADMIN, AGENT, WAIT_MS, log_in, occ_server  # noqa: F401

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("OCC_SHOTS", "")
CUSTOMER = "+393475550101"
REMINDER = (
    "HX2123456789abcdef0123456789abcdef"  # the demo's "Appointment reminder" ({{1}} {{2}} {{3}})
)
SURVEY = "HX3123456789abcdef0123456789abcdef"  # quick-reply buttons 1–5
PENDING = "HX4123456789abcdef0123456789abcdef"
SIZES = {"wide": (1366, 850), "phone": (390, 844)}


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


@pytest.fixture(autouse=True)
def _patient():
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


def test_the_console_shows_each_templates_approval(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, _db = occ_server
    for locale, size in (("en-US", "wide"), ("it-IT", "phone")):
        context = browser.new_context(
            locale=locale, viewport=dict(zip(("width", "height"), SIZES[size], strict=True))
        )
        try:
            page = log_in(context, base, ADMIN)
            page.goto(base + "/whatsapp/templates/")
            page.click("#sync-templates")
            expect(page.locator(f'tr[data-sid="{PENDING}"]')).to_have_attribute(
                "data-status", "pending"
            )
            expect(page.locator('tr[data-status="rejected"]')).to_have_count(1)
            expect(page.locator('tr[data-status="approved"]')).to_have_count(4)
            if locale == "it-IT":
                expect(page.locator("#sync-templates")).to_have_text("Sincronizza con Twilio")
                expect(page.locator('tr[data-status="rejected"] .badge')).to_have_text("Rifiutato")
            shot(page, f"console-templates-{locale[:2]}-{size}")
        finally:
            context.close()


def test_an_agent_starts_a_conversation_with_a_template_and_the_phone_gets_it(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, database = occ_server
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    phone_context = browser.new_context(locale="en-US")
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.click("#start-conversation")
        expect(desk.locator("#start-dialog")).to_be_visible()
        # Only approved templates are offered.
        offered = desk.locator("#start-template-select option").evaluate_all(
            "os => os.map(o => o.value)"
        )
        assert REMINDER in offered and SURVEY in offered and PENDING not in offered
        desk.fill("#start-to", CUSTOMER)
        desk.fill("#start-name", "Giulia")
        desk.select_option("#start-template-select", REMINDER)
        expect(desk.locator("#start-template-vars input")).to_have_count(3)
        expect(desk.locator("#start-template-preview")).to_have_text(
            "Hi {{1}}, a reminder of your appointment on {{2}} at {{3}}."
        )
        desk.fill('#start-template-vars input[data-var="1"]', "Giulia")
        desk.fill('#start-template-vars input[data-var="2"]', "12 May")
        expect(desk.locator("#start-template-preview")).to_have_text(
            "Hi Giulia, a reminder of your appointment on 12 May at {{3}}."
        )
        # A variable left empty is named, nothing is sent.
        desk.click("#start-send")
        expect(desk.locator("#start-error")).to_contain_text("{{3}}")
        desk.fill('#start-template-vars input[data-var="3"]', "10:30")
        shot(desk, "desk-start-dialog-en-wide")
        desk.click("#start-send")
        expect(desk.locator("#start-dialog")).to_be_hidden()
        expect(desk.locator("#conv-title")).to_have_text("Giulia")
        sent = desk.locator("#messages .msg.out")
        expect(sent).to_have_count(1)
        expect(sent).to_contain_text(
            "Hi Giulia, a reminder of your appointment on 12 May at 10:30."
        )
        expect(sent).to_have_attribute("data-status", "read")
        # Outside the window the composer is the picker.
        expect(desk.locator("#composer")).to_have_attribute("data-window", "closed")
        expect(desk.locator("#reply-body")).to_be_hidden()
        desk.select_option("#template-select", SURVEY)
        expect(desk.locator("#template-buttons .tpl-button")).to_have_count(5)
        expect(desk.locator("#template-vars input")).to_have_count(0)
        shot(desk, "desk-composer-picker-en-wide")

        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        phone.fill("#customer", CUSTOMER)
        phone.dispatch_event("#customer", "change")
        expect(phone.locator(".bubble.theirs")).to_contain_text(
            "Hi Giulia, a reminder of your appointment on 12 May at 10:30."
        )
        with sqlite3.connect(database) as db:
            [(state, agent)] = db.execute(
                "SELECT i.state, u.username FROM interactions_interaction i JOIN interactions_contact c ON c.id = i.contact_id "
                "JOIN agents_agentprofile a ON a.id = i.agent_id JOIN auth_user u ON u.id = a.user_id WHERE c.address = ?",
                (CUSTOMER,),
            ).fetchall()
        assert (state, agent) == ("assigned", "agent")
    finally:
        context.close()
        phone_context.close()


@pytest.mark.parametrize("locale", ["en-US", "it-IT"])
@pytest.mark.parametrize("size", ["wide", "phone"])
def test_the_picker_looks_right(browser, occ_server, locale, size):  # noqa: F811
    """Runs after the start: the agent holds Giulia's conversation, outside the window."""
    from playwright.sync_api import expect

    base, _db = occ_server
    width, height = SIZES[size]
    context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.locator("#interaction-list li", has_text="Giulia").click()
        expect(desk.locator("#composer")).to_have_attribute("data-window", "closed")
        desk.select_option("#template-select", REMINDER)
        desk.fill('#template-vars input[data-var="1"]', "Giulia")
        expect(desk.locator("#template-preview")).to_contain_text("Giulia")
        if locale == "it-IT":
            expect(desk.locator("#send-button")).to_have_text("Invia")
            expect(desk.locator("#template-meta")).to_have_text("Inglese · UTILITY")
            expect(desk.locator("#messages .tpl-name")).to_have_text(
                "Modello: Appointment reminder"
            )
        # Nothing wider than the screen.
        overflow = desk.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        desk.locator("#template-preview").scroll_into_view_if_needed()
        shot(desk, f"desk-picker-{locale[:2]}-{size}")
        if size == "phone":
            desk.click("#back-button")
        desk.click("#start-conversation")
        desk.select_option("#start-template-select", REMINDER)
        expect(desk.locator("#start-template-vars input")).to_have_count(3)
        if locale == "it-IT":
            expect(desk.locator("#start-title")).to_have_text("Nuova conversazione")
        box = desk.locator("#start-dialog").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        shot(desk, f"desk-start-dialog-{locale[:2]}-{size}")
        desk.click("#start-cancel")
        expect(desk.locator("#start-dialog")).to_be_hidden()
    finally:
        context.close()


def test_the_satisfaction_survey_reaches_the_phone_and_a_press_is_recorded(browser, occ_server):  # noqa: F811
    """Runs last: the agent closes Giulia's conversation on a service that asks for a score."""
    from playwright.sync_api import expect

    from tests.browser.test_desk import manage

    base, database = occ_server
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="1",
        OCC_SANDBOX="1",
        SQLITE_PATH=str(database),
        OCC_PUBLIC_BASE_URL=base,
        TWILIO_API_BASE_URL=base + "/sandbox/twilio",
        TWILIO_MESSAGING_BASE_URL=base + "/sandbox/twilio",
        TWILIO_CONTENT_BASE_URL=base + "/sandbox/twilio",
        LOG_LEVEL="WARNING",
    )
    admin_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    desk_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    phone_context = browser.new_context(locale="it-IT", viewport={"width": 390, "height": 844})
    try:
        admin = log_in(admin_context, base, ADMIN)
        admin.goto(base + "/services/1/")
        admin.check("#id_csat_enabled")
        admin.select_option("#id_csat_template_sid", SURVEY)
        admin.click("form [type=submit].primary")
        expect(admin).to_have_url(base + "/services/")
        shot(admin, "console-services-en-wide")

        desk = log_in(desk_context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.locator("#interaction-list li", has_text="Giulia").click()
        expect(desk.locator("#conv-title")).to_have_text("Giulia")
        # Closing asks in the desk's own dialog (close reason, wrap-up note), not the browser's.
        desk.click("#close-button")
        expect(desk.locator("#close-dialog")).to_be_visible()
        desk.click("#close-confirm")
        expect(desk.locator("#interaction-list li", has_text="Giulia")).to_have_count(0)
        manage(env, "db_worker", "--batch")  # the engine sends the survey

        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        phone.fill("#customer", CUSTOMER)
        phone.dispatch_event("#customer", "change")
        buttons = phone.locator(".bubble.theirs .phone-button")
        expect(buttons).to_have_count(5)
        shot(phone, "phone-survey-it-phone")
        phone.locator(".phone-button", has_text="4").last.click()
        expect(phone.locator(".bubble.mine").last).to_contain_text("4")
        manage(env, "db_worker", "--batch")  # the thanks
        expect(phone.locator(".bubble.theirs").last).to_contain_text("Thank you for your rating")
        shot(phone, "phone-survey-answered-it-phone")
        with sqlite3.connect(database) as db:
            rows = db.execute(
                "SELECT s.score, s.state FROM interactions_survey s JOIN interactions_contact c ON c.id = s.contact_id WHERE c.address = ?",
                (CUSTOMER,),
            ).fetchall()
            open_count = db.execute(
                "SELECT count(*) FROM interactions_interaction i JOIN interactions_contact c ON c.id = i.contact_id "
                "WHERE c.address = ? AND i.state != 'closed'",
                (CUSTOMER,),
            ).fetchone()[0]
        assert rows == [(4, "scored")] and open_count == 0
    finally:
        admin_context.close()
        desk_context.close()
        phone_context.close()
