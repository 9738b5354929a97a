"""Canned responses with `/` and private notes with a mention, in Chromium against OCC as scripts/run.sh serves it.

OCC runs in a subprocess with the sandbox (Daphne, the in-process fake
Twilio, the phone simulator), with the demo data, a second agent (Bea) and
canned responses. Screenshots go to OCC_SHOTS_DIR when it is set.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.test_desk import ADMIN, AGENT, REPO, free_port, log_in, manage, write_from_phone

pytestmark = pytest.mark.browser

BEA = ("bea", "occ-demo-bea-123")
CUSTOMER = "+393330004444"
SHOTS = os.environ.get("OCC_SHOTS_DIR", "")
WAIT_MS = 20_000
DESKTOP = {"width": 1366, "height": 850}
PHONE = {"width": 390, "height": 844}

SETUP = """
from django.contrib.auth import get_user_model
from agents.models import AgentProfile, CannedResponse
from services.models import Service
service = Service.objects.get(name="Customer care")
bea = get_user_model().objects.create_user("bea", password="occ-demo-bea-123", first_name="Bea", last_name="Bianchi")
profile = AgentProfile.objects.create(user=bea, chat_enabled=True, whatsapp_enabled=True, max_interactions=3)
profile.services.add(service)
alex = get_user_model().objects.get(username="agent")
hello = CannedResponse.objects.create(shortcut="hello", title="Greeting",
    body="Hi {{contact.name}}, I am {{agent.first_name}} from {{service.name}}. How can I help?")
hello.services.add(service)
CannedResponse.objects.create(shortcut="help", title="More details", body="Could you send me your order number, please?")
CannedResponse.objects.create(shortcut="thanks", body="Thank you {{contact.first_name}}, have a good day!", owner=alex)
"""


@pytest.fixture(scope="module")
def occ(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("occ-canned")
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
        LOG_LEVEL="WARNING",
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    manage(env, "shell", "-c", SETUP)
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
    yield base
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(autouse=True)
def _patient_expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def go_online(desk):
    from playwright.sync_api import expect

    expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
    desk.click("#presence button[data-presence=online]")
    expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")


def test_a_canned_response_is_inserted_with_slash_its_placeholders_filled(browser, occ):
    from playwright.sync_api import expect

    base = occ
    desk_context = browser.new_context(locale="en-US", viewport=DESKTOP)
    phone_context = browser.new_context(locale="en-US")
    try:
        desk = log_in(desk_context, base, AGENT)
        go_online(desk)
        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        write_from_phone(phone, CUSTOMER, "Maria Rossi", "Hello, I have a question")
        expect(desk.locator("#messages .msg.in")).to_have_count(1)

        body = desk.locator("#reply-body")
        body.click()
        body.press_sequentially("/hel")
        menu = desk.locator("#canned-menu")
        expect(menu).to_be_visible()
        # "hel": /hello and /help start with it; the agent's own /thanks does not match.
        expect(desk.locator("#canned-list li")).to_have_count(2)
        expect(desk.locator("#canned-list li.active")).to_have_attribute("data-shortcut", "hello")
        expect(desk.locator("#canned-list li.active")).to_contain_text(
            "Hi Maria Rossi, I am Alex from Customer care."
        )
        shot(desk, "composer-canned-list-1366x850")
        desk.set_viewport_size(PHONE)
        desk.click("#interaction-list li")
        expect(desk.locator("#desk")).to_have_attribute("data-view", "conversation")
        expect(menu).to_be_hidden()
        body.click()
        body.fill("")
        body.press_sequentially("/hel")
        expect(desk.locator("#canned-list li")).to_have_count(2)
        shot(desk, "composer-canned-list-390x844")
        desk.set_viewport_size(DESKTOP)
        body.press("ArrowDown")
        expect(desk.locator("#canned-list li.active")).to_have_attribute("data-shortcut", "help")
        body.press("ArrowUp")
        body.press("Enter")  # inserts: never sends while the list is open
        expect(menu).to_be_hidden()
        expect(body).to_have_value("Hi Maria Rossi, I am Alex from Customer care. How can I help?")
        expect(desk.locator("#messages .msg.out")).to_have_count(0)

        # Escape closes the list and leaves the text as typed.
        body.press_sequentially(" /zz")
        expect(menu).to_be_visible()
        expect(desk.locator("#canned-empty")).to_contain_text("No canned response matches")
        body.press("Escape")
        expect(menu).to_be_hidden()
        body.fill("")

        # The button opens the list to browse; the search finds the agent's own response.
        desk.click("#canned-button")
        expect(desk.locator("#canned-list li")).to_have_count(3)
        desk.fill("#canned-search", "good day")
        expect(desk.locator("#canned-list li")).to_have_count(1)
        desk.locator("#canned-list li").first.click()
        expect(body).to_have_value("Thank you Maria, have a good day!")
        desk.click("#send-button")
        expect(phone.locator(".bubble.theirs")).to_contain_text("Thank you Maria, have a good day!")
    finally:
        desk_context.close()
        phone_context.close()


def test_the_composer_lists_canned_responses_in_italian(browser, occ):
    from playwright.sync_api import expect

    context = browser.new_context(locale="it-IT", viewport=DESKTOP)
    try:
        desk = log_in(context, occ, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(desk.locator("#messages .msg.in")).to_have_count(1)
        expect(desk.locator("#canned-button")).to_have_text("Risposte predefinite")
        expect(desk.locator("#mode-note")).to_contain_text("Nota privata")
        desk.click("#canned-button")
        expect(desk.locator("#canned-list li")).to_have_count(3)
        expect(desk.locator("#canned-list li").first).to_contain_text("condivisa")
        desk.fill("#canned-search", "zzz")
        expect(desk.locator("#canned-empty")).to_contain_text("Nessuna risposta predefinita")
        desk.fill("#canned-search", "")
        shot(desk, "composer-canned-list-it-1366x850")
        desk.goto(occ + "/desk/canned/")
        expect(desk.locator("h1")).to_have_text("Le mie risposte predefinite")
        shot(desk, "my-canned-responses-it-1366x850")
    finally:
        context.close()


def test_a_note_with_a_mention_notifies_the_colleague_and_never_reaches_the_phone(browser, occ):
    """Runs after the first test: Alex holds Maria's conversation; Bea is away."""
    from playwright.sync_api import expect

    base = occ
    alex_context = browser.new_context(locale="en-US", viewport=DESKTOP)
    bea_context = browser.new_context(locale="en-US", viewport=DESKTOP)
    phone_context = browser.new_context(locale="en-US")
    try:
        alex = log_in(alex_context, base, AGENT)
        expect(alex.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(alex.locator("#messages .msg")).to_have_count(2)
        bea = log_in(bea_context, base, BEA)
        expect(bea.locator("#conn")).to_have_attribute("data-state", "connected")
        bea.click("#presence button[data-presence=away]")
        expect(bea.locator("#interaction-list li")).to_have_count(0)
        expect(bea.locator("#mentions-count")).to_be_hidden()

        alex.click("#mode-note")
        expect(alex.locator("#composer")).to_have_class("composer note-mode")
        expect(alex.locator("#send-button")).to_have_text("Add note")
        # @ lists the colleagues; Enter puts the username in.
        alex.locator("#reply-body").press_sequentially("@be")
        expect(alex.locator("#mention-menu li")).to_have_count(1)
        expect(alex.locator("#mention-menu li.active")).to_contain_text("@bea Bea Bianchi")
        shot(alex, "note-mention-list-1366x850")
        alex.locator("#reply-body").press("Enter")
        expect(alex.locator("#mention-menu")).to_be_hidden()
        expect(alex.locator("#reply-body")).to_have_value("@bea ")
        alex.locator("#reply-body").press_sequentially("could you check the refund for this order?")
        alex.click("#send-button")
        note = alex.locator("#messages .note")
        expect(note).to_have_count(1)
        expect(note).to_contain_text("Private note")
        expect(note.locator(".mention")).to_have_text("@bea")
        expect(alex.locator("#reply-body")).to_have_value("")
        # In order with the messages: after the two so far.
        order = (
            alex.eval_on_selector_all(
                "#messages .group.current > *", "nodes => nodes.map(n => n.className.split(' ')[0])"
            )
            if alex.locator("#messages .group.current").count()
            else alex.eval_on_selector_all(
                "#messages .group > *", "nodes => nodes.map(n => n.className.split(' ')[0])"
            )
        )
        assert order[-3:] == ["msg", "msg", "note"], order

        # Bea is told at once, though the conversation is not hers.
        toast = bea.locator("#mention-toast")
        expect(toast).to_be_visible()
        expect(toast).to_contain_text("Alex Agent mentioned you in a note on Maria Rossi")
        expect(bea.locator("#mentions-count")).to_have_text("1")
        shot(bea, "mention-toast-1366x850")
        bea.click("#mention-toast-open")
        expect(bea.locator("#conv-title")).to_have_text("Maria Rossi")
        expect(bea.locator("#messages .note")).to_contain_text("could you check the refund")
        expect(bea.locator("#mode-reply")).to_be_disabled()
        expect(bea.locator("#composer")).to_have_attribute("data-mode", "note")
        expect(bea.locator("#close-button")).to_be_hidden()
        expect(bea.locator("#mentions-count")).to_be_hidden()
        shot(bea, "mentioned-agent-reads-1366x850")
        bea.fill("#reply-body", "Done: the refund left yesterday.")
        bea.keyboard.press("Control+Enter")
        # Alex's desk shows Bea's note live.
        expect(alex.locator("#messages .note")).to_have_count(2)
        expect(alex.locator("#messages .note").last).to_contain_text(
            "Done: the refund left yesterday."
        )
        alex.click("#mode-reply")
        expect(alex.locator("#send-button")).to_have_text("Send")
        shot(alex, "timeline-with-notes-1366x850")
        alex.set_viewport_size(PHONE)
        alex.click("#interaction-list li")
        expect(alex.locator("#messages .note")).to_have_count(2)
        shot(alex, "timeline-with-notes-390x844")

        # The customer's phone never shows a note.
        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        phone.fill("#customer", CUSTOMER)
        phone.dispatch_event("#customer", "change")
        expect(phone.locator(".bubble.theirs")).to_have_count(1)
        bubbles = json.dumps(phone.locator(".bubble").all_inner_texts())
        assert "refund" not in bubbles
    finally:
        alex_context.close()
        bea_context.close()
        phone_context.close()


def test_a_supervisor_manages_shared_responses_and_unknown_placeholders_are_refused(browser, occ):
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US", viewport=DESKTOP)
    try:
        page = log_in(context, occ, ADMIN)
        page.goto(occ + "/canned-responses/")
        expect(page.locator("#canned-table tr[data-canned]")).to_have_count(2)
        page.click("#new-canned")
        page.fill("#id_shortcut", "address")
        page.fill("#id_title", "Shipping address")
        page.fill("#id_body", "Dear {{customer.name}}, please confirm your address.")
        page.check("#field-services input[type=checkbox]")
        page.click("#canned-form button[type=submit]")
        expect(page.locator("#field-body .errorlist")).to_contain_text(
            "Unknown placeholder: {{customer.name}}"
        )
        shot(page, "shared-canned-form-error-1366x850")
        page.set_viewport_size(PHONE)
        shot(page, "shared-canned-form-error-390x844")
        page.set_viewport_size(DESKTOP)
        page.fill("#id_body", "Dear {{contact.name}}, please confirm your address.")
        page.click("#canned-form button[type=submit]")
        expect(page.locator(".flash")).to_contain_text("Canned response “/address” saved.")
        row = page.locator("#canned-table tr[data-canned]", has_text="/address")
        expect(row).to_contain_text("Customer care")
        shot(page, "shared-canned-list-1366x850")
        page.set_viewport_size(PHONE)
        shot(page, "shared-canned-list-390x844")
        page.goto(occ + "/settings/audit/")
        expect(page.locator("body")).to_contain_text("/address")
    finally:
        context.close()
