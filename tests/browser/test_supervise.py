"""Supervisors in a real browser: watch a conversation live, read its transcript, take it over.

Against OCC as scripts/run.sh serves it (tests/browser/test_desk.py's server):
the customer writes from the sandbox's phone simulator, through the signed
fake webhook, and the supervisor's page shows it without reloading.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_desk import (
    ADMIN,
    AGENT,
    WAIT_MS,
    log_in,
    occ_server,
    states,
    write_from_phone,
)

pytestmark = pytest.mark.browser

SUPERVISOR = ("supervisor", "occ-demo-supervisor")
CUSTOMER = "+393330005555"
SHOTS = Path(os.environ.get("OCC_SHOTS_DIR", "")) if os.environ.get("OCC_SHOTS_DIR") else None
SIZES = {"wide": (1366, 850), "phone": (390, 844)}

__all__ = ["occ_server"]


@pytest.fixture(autouse=True)
def _patient_expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


def shoot(page, name: str) -> None:
    """Screenshots at both sizes when OCC_SHOTS_DIR is set (for people to look at)."""
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 850})


def test_a_supervisor_watches_live_reads_the_transcript_and_takes_over(browser, occ_server):
    from playwright.sync_api import expect

    base, database = occ_server
    desk_context = browser.new_context(locale="en-US")
    phone_context = browser.new_context(locale="en-US")
    sup_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        desk = log_in(desk_context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.click("#presence button[data-presence=online]")
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")
        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        write_from_phone(phone, CUSTOMER, "Giulia", "My order 7781 has not arrived")
        expect(desk.locator("#interaction-list li")).to_contain_text("Giulia")

        sup = log_in(sup_context, base, SUPERVISOR)
        expect(sup).to_have_url(base + "/desk/supervisor/")
        expect(sup.locator("#conn")).to_have_attribute("data-state", "connected")
        row = sup.locator("#open tbody tr", has_text=CUSTOMER)
        expect(row).to_have_count(1)
        expect(
            sup.locator("#agents tbody tr", has_text="Alex").locator("td.today").first
        ).not_to_have_text("")
        row.locator("button.watch-button").click()
        expect(sup.locator("#watch")).to_be_visible()
        expect(sup.locator("#watch-messages .msg.in")).to_have_count(1)
        expect(sup.locator("#watch-messages")).to_contain_text("My order 7781 has not arrived")

        # The customer writes again: the supervisor sees it live; the agent too, as before.
        write_from_phone(phone, CUSTOMER, "Giulia", "Can someone check?")
        expect(sup.locator("#watch-messages .msg.in")).to_have_count(2)
        expect(sup.locator("#watch-messages .msg.in").last).to_contain_text("Can someone check?")
        expect(desk.locator("#messages .msg.in").last).to_contain_text("Can someone check?")
        # The agent replies: it reaches the watch panel too.
        desk.fill("#reply-body", "Checking now.")
        desk.click("#send-button")
        expect(sup.locator("#watch-messages .msg.out")).to_contain_text("Checking now.")
        shoot(sup, "supervisor-watching")

        # The transcript of the same conversation.
        sup.goto(base + sup.locator("#watch-transcript").get_attribute("href"))
        expect(sup.locator("#transcript-messages .msg")).to_have_count(3)
        expect(sup.locator("#transcript-contact")).to_contain_text(CUSTOMER)
        shoot(sup, "transcript")

        # Take it over: it leaves the agent's desk and is the supervisor's.
        sup.goto(base + "/desk/supervisor/")
        sup.locator("#open tbody tr", has_text=CUSTOMER).locator("button.watch-button").click()
        expect(sup.locator("#watch-take-over")).to_be_visible()
        sup.click("#watch-take-over")
        expect(sup.locator("#open tbody tr", has_text=CUSTOMER)).to_contain_text("Sam")
        expect(sup.locator("#watch-meta")).to_contain_text("Sam")
        expect(sup.locator("#watch-take-over")).to_be_hidden()
        expect(desk.locator("#interaction-list li", has_text="Giulia")).to_have_count(0)
        assert states(database)[CUSTOMER] == "assigned"
        shoot(sup, "supervisor-after-take-over")
    finally:
        for context in (desk_context, phone_context, sup_context):
            context.close()


ERASED_CUSTOMER = "+393330007777"


def test_an_administrator_exports_then_erases_a_customer(browser, occ_server):
    import io
    import json
    import zipfile

    from playwright.sync_api import expect

    base, database = occ_server
    admin_context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        admin = log_in(admin_context, base, ADMIN)
        admin.goto(base + "/sandbox/phone/")
        write_from_phone(admin, ERASED_CUSTOMER, "Ottavia", "Secret words 4242 about my account")
        expect(admin.locator(".bubble.mine")).to_contain_text("Secret words 4242")

        admin.goto(base + "/settings/data-protection/")
        admin.fill("#contact-search input[name=q]", "Ottavia")
        admin.click("#contact-search button[type=submit]")
        row = admin.locator("#contact-results tbody tr", has_text=ERASED_CUSTOMER)
        expect(row).to_have_count(1)
        shoot(admin, "data-protection-search")
        row.locator("a").click()
        expect(admin.locator("#contact-title")).to_contain_text(ERASED_CUSTOMER)
        shoot(admin, "data-protection-contact")

        with admin.expect_download() as download_info:
            admin.click("#export-contact")
        archive = zipfile.ZipFile(io.BytesIO(Path(download_info.value.path()).read_bytes()))
        exported = json.loads(archive.read("contact.json"))
        assert exported["contact"]["address"] == ERASED_CUSTOMER
        assert (
            exported["interactions"][0]["messages"][0]["body"]
            == "Secret words 4242 about my account"
        )

        # The erase asks in a styled dialog; cancelling keeps everything.
        admin.click("#erase-contact")
        expect(admin.locator("#erase-dialog")).to_be_visible()
        shoot(admin, "data-protection-erase-dialog")
        admin.click("#erase-cancel")
        expect(admin.locator("#erase-dialog")).to_be_hidden()
        assert ERASED_CUSTOMER in states(database)
        admin.click("#erase-contact")
        admin.click("#erase-confirm")
        expect(admin).to_have_url(base + "/settings/data-protection/")
        assert ERASED_CUSTOMER not in states(database)

        # Nowhere any more: the transcripts, the API, the outbox.
        admin.goto(base + "/supervisor/transcripts/?state=all")
        expect(admin.locator("main")).not_to_contain_text("Ottavia")
        api = admin.request.get(base + "/api/v1/interactions/").text()
        assert "4242" not in api and ERASED_CUSTOMER not in api
        import sqlite3

        with sqlite3.connect(database) as db:
            bodies = " ".join(row[0] for row in db.execute("SELECT body FROM interactions_message"))
            outbox = " ".join(row[0] for row in db.execute("SELECT body FROM hooks_event"))
        assert "4242" not in bodies and "4242" not in outbox

        admin.goto(base + "/settings/data-protection/retention/")
        admin.fill("input[name=days]", "30")
        admin.click("#retention-preview")
        expect(admin.locator("#dry-run")).to_be_visible()
        shoot(admin, "data-protection-retention")
    finally:
        admin_context.close()


def test_the_supervisor_and_data_protection_pages_speak_italian(browser, occ_server):
    from playwright.sync_api import expect

    base, _database = occ_server
    sup_context = browser.new_context(locale="it-IT", viewport={"width": 1366, "height": 850})
    admin_context = browser.new_context(locale="it-IT", viewport={"width": 1366, "height": 850})
    try:
        sup = log_in(sup_context, base, SUPERVISOR)
        expect(sup.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(sup.locator("#agents thead")).to_contain_text("Oggi")
        expect(sup.locator("#agents thead")).to_contain_text("Prima risposta (mediana)")
        expect(
            sup.locator("#agents tbody td.first-response").first
        ).to_be_visible()  # the snapshot is in
        rows = sup.locator("#open tbody tr")
        if rows.count():
            rows.first.locator("button.watch-button").click()
            expect(sup.locator("#watch")).to_contain_text("Stai seguendo")
            expect(sup.locator("#watch")).to_contain_text("Prendi in carico")
        shoot(sup, "it-supervisor")
        sup.goto(base + "/supervisor/transcripts/?state=all")
        expect(sup.locator("h1")).to_have_text("Trascrizioni")
        shoot(sup, "it-transcripts")
        first = sup.locator("#transcripts tbody tr a").first
        if first.count():
            first.click()
            expect(sup.locator("h1")).to_contain_text("Trascrizione")
            expect(sup.locator("main")).to_contain_text("Passaggi di mano")
            shoot(sup, "it-transcript")
        admin = log_in(admin_context, base, ADMIN)
        admin.goto(base + "/settings/data-protection/")
        expect(admin.locator("main")).to_contain_text("I dati di un cliente")
        shoot(admin, "it-data-protection")
        admin.goto(base + "/settings/data-protection/retention/")
        admin.click("#retention-preview")
        expect(admin.locator("#dry-run")).to_contain_text("Simulazione")
        shoot(admin, "it-retention")
        admin.goto(base + "/account/api-token/")
        expect(admin.locator("h1")).to_have_text("Il tuo token API")
    finally:
        sup_context.close()
        admin_context.close()
