"""The desk and the phone simulator in a real browser, against OCC as scripts/run.sh serves it.

The application runs in a subprocess exactly as the README's run command
starts it (Daphne through `manage.py runserver`, the sandbox on, demo data),
on its own SQLite file and a free port, so WebSockets, the in-process fake
Twilio, its signed status callbacks and the simulator's signed webhooks all
travel over real HTTP. Two browser contexts: the agent's desk and the phone.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
AGENT = ("agent", "occ-demo-agent")
ADMIN = ("admin", "occ-demo-admin")
FIRST_CUSTOMER = "+393330001111"
SECOND_CUSTOMER = "+393330002222"
TEMPLATE_SID = "HX" + "0123456789abcdef" * 2


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        **kwargs,
    )


@pytest.fixture(scope="module")
def occ_server(tmp_path_factory):
    """OCC with the sandbox, served by Daphne on a free port; yields (base URL, database file)."""
    yield from serve_occ(tmp_path_factory)


def serve_occ(tmp_path_factory, **settings):
    """The body of `occ_server`, with extra environment `settings` (OCC_AUTO_AWAY_MINUTES="2")."""
    tmp = tmp_path_factory.mktemp("occ-desk")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DEBUG="1",
        OCC_SANDBOX="1",
        SQLITE_PATH=str(tmp / "db.sqlite3"),
        OCC_MEDIA_ROOT=str(tmp / "media"),
        OCC_PUBLIC_BASE_URL=base,
        TWILIO_API_BASE_URL=base + "/sandbox/twilio",
        TWILIO_MESSAGING_BASE_URL=base + "/sandbox/twilio",
        TWILIO_CONTENT_BASE_URL=base + "/sandbox/twilio",
        LOG_LEVEL="WARNING",
    )
    env.update(settings)
    manage(env, "migrate", "--noinput", "-v0")
    # The demo data, with one interaction at a time so the second customer has to wait in the queue.
    manage(
        env,
        "shell",
        "-c",
        "from django.core.management import call_command; call_command('seed_demo');"
        "from agents.models import AgentProfile; AgentProfile.objects.update(max_interactions=1)",
    )
    log = open(tmp / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("OCC did not start: " + (tmp / "server.log").read_text()[-2000:])
            time.sleep(0.2)
    # The demo account's templates, read from the sandbox's Content API over HTTP.
    manage(env, "sync_templates")
    yield base, tmp / "db.sqlite3"
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


# Generous waits: the machines running the suite are often busy. Nothing is timed.
WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def _patient_expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


def log_in(context, base, credentials):
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda error: print(credentials[0], "page error:", error))
    page.on("console", lambda message: print(credentials[0], "console:", message.text))
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", credentials[0])
    page.fill("input[name=password]", credentials[1])
    page.click("form [type=submit]")
    return page


def states(database: Path) -> dict[str, str]:
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT c.address, i.state FROM interactions_interaction i JOIN interactions_contact c ON c.id = i.contact_id"
        ).fetchall()
    return dict(rows)


def write_from_phone(phone, customer, name, text):
    phone.fill("#customer", customer)
    phone.dispatch_event("#customer", "change")
    phone.fill("#name", name)
    phone.fill("#phone-body", text)
    phone.click("#phone-send")


def test_customer_and_agent_talk_live_and_the_queue_drains_on_close(browser, occ_server):
    from playwright.sync_api import expect

    base, database = occ_server
    desk_context, phone_context = (
        browser.new_context(locale="en-US"),
        browser.new_context(locale="en-US"),
    )
    try:
        desk = log_in(desk_context, base, AGENT)
        expect(desk).to_have_url(base + "/desk/")
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.click("#presence button[data-presence=online]")
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")

        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")

        # A customer writes; the desk shows it without reloading.
        write_from_phone(phone, FIRST_CUSTOMER, "Maria", "Hello, where is my order?")
        expect(desk.locator("#interaction-list li")).to_have_count(1)
        expect(desk.locator("#interaction-list li")).to_contain_text("Maria")
        expect(desk.locator("#messages .msg.in")).to_have_count(1)
        expect(desk.locator("#messages .msg.in").first).to_contain_text("Hello, where is my order?")

        # The agent replies; the phone gets it, and both see it reach "read".
        desk.fill("#reply-body", "It ships today!")
        desk.click("#send-button")
        reply = phone.locator(".bubble.theirs")
        expect(reply).to_contain_text("It ships today!")
        expect(reply).to_have_attribute("data-status", "read")
        expect(desk.locator("#messages .msg.out")).to_have_attribute("data-status", "read")

        # The socket drops; what the customer writes meanwhile shows once after the resync.
        syncs = desk.evaluate("window.occDesk.state.syncs")
        desk.evaluate("window.occDesk.drop()")
        write_from_phone(phone, FIRST_CUSTOMER, "Maria", "Thanks!")
        desk.wait_for_function(f"() => window.occDesk.state.syncs > {syncs}")
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(desk.locator("#messages .msg.in")).to_have_count(2)
        expect(desk.locator("#messages .msg.in").last).to_contain_text("Thanks!")

        # Max interactions = 1: a second customer waits in the queue.
        write_from_phone(phone, SECOND_CUSTOMER, "Luca", "Hi, I need help too")
        expect(phone.locator(".bubble.mine")).to_have_count(1)
        assert states(database)[SECOND_CUSTOMER] == "queued"
        expect(desk.locator("#interaction-list li")).to_have_count(1)

        # Closing the first (in the close dialog) gives the agent the second at once.
        desk.click("#close-button")
        desk.click("#close-confirm")
        expect(desk.locator("#interaction-list li")).to_have_count(1)
        expect(desk.locator("#interaction-list li")).to_contain_text("Luca")
        expect(desk.locator("#conv-title")).to_have_text("Luca")
        expect(desk.locator("#messages .msg.in")).to_have_count(1)
        expect(desk.locator("#messages .msg.in").first).to_contain_text("I need help too")
        assert states(database) == {FIRST_CUSTOMER: "closed", SECOND_CUSTOMER: "assigned"}
    finally:
        desk_context.close()
        phone_context.close()


def test_two_tabs_agree_and_after_24_hours_only_a_template_goes_out(browser, occ_server):
    """Runs after the first test: the agent holds Luca's interaction."""
    from playwright.sync_api import expect

    base, database = occ_server
    with sqlite3.connect(database) as db:
        # Luca wrote 25 hours ago: WhatsApp's customer-service window is closed.
        db.execute(
            "UPDATE interactions_interaction SET last_inbound_at = datetime('now', '-25 hours') WHERE state = 'assigned'"
        )
    context, phone_context = (
        browser.new_context(locale="en-US"),
        browser.new_context(locale="en-US"),
    )
    try:
        first = log_in(context, base, AGENT)
        # The second tab shares the first's session: only once the login is through.
        expect(first).to_have_url(base + "/desk/")
        second = context.new_page()
        second.set_default_timeout(WAIT_MS)
        second.goto(base + "/desk/")
        for tab in (first, second):
            expect(tab.locator("#interaction-list li")).to_contain_text("Luca")
            expect(tab.locator("#composer")).to_have_attribute("data-window", "closed")
            expect(tab.locator("#window-info")).to_contain_text("63016")
            expect(tab.locator("#reply-body")).to_be_hidden()
        first.select_option("#template-select", TEMPLATE_SID)
        first.fill('#template-vars input[data-var="1"]', "Luca")
        expect(first.locator("#template-preview")).to_have_text(
            "Hello Luca, we are following up on your request. Reply to continue the conversation."
        )
        first.click("#send-button")
        # The other tab of the same agent shows the same message and its statuses. (Luca's
        # history also holds the automatic reply that told him his place in the queue.)
        for tab in (first, second):
            sent = tab.locator("#messages .msg.out", has=tab.locator(".tpl-sent"))
            expect(sent).to_have_count(1)
            expect(sent).to_contain_text("Hello Luca, we are following up on your request.")
            expect(sent).to_have_attribute("data-status", "read")
        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        phone.fill("#customer", SECOND_CUSTOMER)
        phone.dispatch_event("#customer", "change")
        expect(phone.locator(".bubble.theirs")).to_contain_text(
            "Hello Luca, we are following up on your request. Reply to continue the conversation."
        )
    finally:
        context.close()
        phone_context.close()
