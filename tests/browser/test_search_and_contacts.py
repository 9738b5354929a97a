"""Search, history, the customer panel and contacts in a real browser (Chromium), English and Italian.

OCC runs as the README's run command starts it (tests/browser/test_desk.py's
server), seeded with closed conversations. Screenshots of each screen go to
OCC_SCREENSHOTS (when set) at 1366×850 and 390×844.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tests.browser.test_desk import ADMIN, AGENT, WAIT_MS, log_in, manage, occ_server  # noqa: F401

pytestmark = pytest.mark.browser

SEED = """
from datetime import timedelta
from django.utils import timezone
from agents.models import AgentProfile
from interactions.models import Contact, ContactAttribute, Interaction, Message
from services.models import Service
agent = AgentProfile.objects.get(user__username="agent")
AgentProfile.objects.update(max_interactions=3)
service = Service.objects.order_by("pk").first()
ContactAttribute.objects.create(key="plan", label="Plan", kind="choice", choices="Gold\\nSilver")
def closed(name, address, bodies, hours):
    at = timezone.now() - timedelta(hours=hours)
    contact = Contact.objects.create(address=address, name=name, profile_name=name.split()[0])
    i = Interaction.objects.create(service=service, contact=contact, state="closed", agent=agent,
        created_at=at, queued_at=at, assigned_at=at, closed_at=at + timedelta(minutes=20),
        last_inbound_at=at)
    for n, body in enumerate(bodies):
        Message.objects.create(interaction=i, direction="in" if n % 2 == 0 else "out", body=body,
            status="received" if n % 2 == 0 else "delivered", created_at=at + timedelta(minutes=n))
closed("Maria Rossi", "+393331110001", ["Hello, my parcel to Zanzibar is late", "Sorry! Let me check."], 3)
closed("Luca Bianchi", "+393331110002", ["Can I change my delivery address?", "Yes, tell me the new one."], 5)
closed("Maria R.", "+393331110003", ["It is Maria again, from my other phone", "Hi Maria!"], 6)
closed("Giulia Ferrari <b>", "+393331110004", ["<script>alert(1)</script> invoice please"], 7)
"""


def shots(page, name: str, *, lang: str) -> None:
    folder = os.environ.get("OCC_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 850), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        page.screenshot(path=f"{folder}/{name}-{lang}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 850})


@pytest.fixture(scope="module")
def seeded(occ_server):  # noqa: F811
    base, database = occ_server
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(SQLITE_PATH=str(database), OCC_SANDBOX="1", DEBUG="1")
    manage(env, "shell", "-c", SEED)
    return base, database


def query(database, sql, *args):
    with sqlite3.connect(database) as db:
        return db.execute(sql, args).fetchall()


def test_find_a_closed_conversation_by_a_word_reopen_it_and_edit_the_contact(browser, seeded):
    from playwright.sync_api import expect

    base, database = seeded
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.click("#presence button[data-presence=online]")
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")

        history = context.new_page()
        history.set_default_timeout(WAIT_MS)
        history.goto(base + "/desk/conversations/?view=closed")
        expect(history.locator("#results .result")).to_have_count(4)
        # The markup a customer sent is text, never markup.
        expect(history.locator("#results")).to_contain_text("<script>alert(1)</script>")
        shots(history, "closed-view", lang="en")

        history.fill("input[name=text]", "zanzibar")
        history.click("#search-button")
        expect(history.locator("#results .result")).to_have_count(1)
        expect(history.locator("#results .result mark")).to_have_text("Zanzibar")
        shots(history, "search-results", lang="en")

        history.click("#results .result-link")
        expect(history.locator("#history-messages .msg")).to_have_count(2)
        history.click("#reopen-button")
        # Back in the desk, the conversation is the agent's again, with the customer panel beside it.
        expect(history).to_have_url(base + "/desk/?open=" + history.url.rsplit("=", 1)[-1])
        expect(history.locator("#conv-title")).to_have_text("Maria Rossi")
        panel = history.locator("#customer-panel")
        expect(panel).to_be_visible()
        expect(panel.locator("#panel-number")).to_have_text("+393331110001")
        expect(panel.locator("#panel-profile-name")).to_have_text("Maria")
        assert query(
            database,
            "SELECT state FROM interactions_interaction i JOIN interactions_contact c ON c.id = i.contact_id WHERE c.address = '+393331110001'",
        ) == [("assigned",)]

        # Edit the contact in the panel.
        panel.locator("input[name=name]").fill("Maria Rossi Bianchi")
        panel.locator("select[name=language]").select_option("it")
        panel.locator("select[name=attr_plan]").select_option("Gold")
        panel.locator("textarea[name=note]").fill("Prefers WhatsApp in the morning")
        panel.locator("#contact-save").click()
        expect(panel.locator(".saved")).to_be_visible()
        assert query(
            database,
            "SELECT name, language, note, attributes FROM interactions_contact WHERE address = '+393331110001'",
        ) == [("Maria Rossi Bianchi", "it", "Prefers WhatsApp in the morning", '{"plan": "Gold"}')]
        shots(history, "customer-panel", lang="en")
    finally:
        context.close()


def test_merge_two_contacts(browser, seeded):
    from playwright.sync_api import expect

    base, database = seeded
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        page = log_in(context, base, AGENT)
        page.goto(base + "/desk/contacts/")
        expect(page.locator("#contact-table tbody tr")).to_have_count(4)
        shots(page, "contacts", lang="en")
        page.fill("#contact-q", "maria")
        page.click("#contact-search")
        expect(page.locator("#contact-table tbody tr")).to_have_count(2)
        page.click("#contact-table tbody tr:first-child a")
        expect(page.locator("#contact-history tbody tr")).to_have_count(1)
        page.fill("#id_other", "1110003")
        page.click("#merge-find-button")
        page.click("#merge-candidates a")
        expect(page.locator("#merge-confirm")).to_contain_text("This cannot be undone")
        page.click("#merge-button")
        expect(page.locator(".flash")).to_contain_text("Merged")
        expect(page.locator("#contact-history tbody tr")).to_have_count(2)
        assert query(
            database, "SELECT count(*) FROM interactions_contact WHERE address = '+393331110003'"
        ) == [(0,)]
        shots(page, "contact-detail", lang="en")
    finally:
        context.close()


def test_the_screens_in_italian(browser, seeded):
    from playwright.sync_api import expect

    base, _database = seeded
    context = browser.new_context(locale="it-IT", viewport={"width": 1366, "height": 850})
    try:
        page = log_in(context, base, ADMIN)
        page.goto(base + "/desk/conversations/?view=all")
        expect(page.locator("h1")).to_have_text("Tutte le conversazioni")
        expect(page.locator("#tab-closed")).to_have_text("Chiuse")
        expect(page.locator("#search-button")).to_have_text("Cerca")
        shots(page, "all-view", lang="it")
        page.fill("input[name=text]", "invoice")
        page.click("#search-button")
        expect(page.locator("#results .result")).to_have_count(1)
        shots(page, "search-results", lang="it")
        page.goto(base + "/desk/contacts/")
        expect(page.locator("h1")).to_have_text("Contatti")
        shots(page, "contacts", lang="it")
        page.click("#contact-table tbody tr:first-child a")
        expect(page.locator(".customer-panel h2")).to_have_text("Cliente")
        expect(page.locator("#merge-find-button")).to_have_text("Trova")
        shots(page, "contact-detail", lang="it")
        page.goto(base + "/settings/contact-attributes/")
        expect(page.locator("h1")).to_have_text("Attributi dei contatti")
        shots(page, "contact-attributes", lang="it")
    finally:
        context.close()
