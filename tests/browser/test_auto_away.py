"""Automatic away (OCC_AUTO_AWAY_MINUTES): an agent who does nothing in any tab is set away, once.

The page's clock is Playwright's (page.clock), so no test waits a minute;
the presence is read from the server's database, not only from the page.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.test_desk import AGENT, _patient_expect, log_in, serve_occ  # noqa: F401

pytestmark = pytest.mark.browser


def presence_of(database, username: str) -> str:
    with sqlite3.connect(database) as db:
        [(presence,)] = db.execute(
            "SELECT p.presence FROM agents_agentprofile p JOIN auth_user u ON u.id = p.user_id "
            "WHERE u.username = ?",
            (username,),
        ).fetchall()
    return presence


@pytest.fixture(scope="module")
def occ_server(tmp_path_factory):
    """OCC as scripts/run.sh serves it, with OCC_AUTO_AWAY_MINUTES=2."""
    yield from serve_occ(tmp_path_factory, OCC_AUTO_AWAY_MINUTES="2")


def test_an_idle_agent_goes_away_after_the_minutes_and_an_active_one_does_not(
    browser,
    occ_server,
):
    from playwright.sync_api import expect

    base, database = occ_server
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        context.clock.install()  # the whole context's time, advanced by the test
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.click("#presence button[data-presence=online]")
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")
        # Active: a key pressed every minute keeps the agent online past the two minutes.
        for _ in range(3):
            desk.clock.run_for(60_000)
            desk.keyboard.press("Shift")
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")
        assert presence_of(database, AGENT[0]) == "online"
        # Idle for two minutes (and the 15 s check): away, on the page and on the server.
        desk.clock.run_for(2 * 60_000 + 16_000)
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "away")
        expect(
            desk.get_by_text("You were set away after 2 minutes without activity.")
        ).to_be_visible()
        # The page shows what the server pushed back: the database says the same.
        assert presence_of(database, AGENT[0]) == "away"
        # Away stays away: no second flash, no flapping.
        desk.clock.run_for(5 * 60_000)
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "away")
    finally:
        context.close()
