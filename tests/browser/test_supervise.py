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
