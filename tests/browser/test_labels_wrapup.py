"""Labels, the close dialog and a transfer to another service with a note, in Chromium.

OCC runs as scripts/run.sh serves it (tests/browser/test_desk.py's way), with the demo data,
a second service ("Sales") and its agent. Screenshots of the labels console page, the close
dialog and the transfer dialog at 1366×850 and 390×844, in English and Italian, go to SHOTS.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.browser.test_desk import ADMIN, AGENT, REPO, free_port, log_in, manage, write_from_phone

pytestmark = pytest.mark.browser

SELLER = ("seller", "occ-demo-seller")
MARIA, LUCA = "+393330005555", "+393330006666"
SHOTS = os.environ.get("OCC_SHOTS", "/tmp/labels-shots")
SIZES = [(1366, 850, False), (390, 844, True)]

SETUP = """
from django.contrib.auth import get_user_model
from agents.models import AgentProfile
from services.models import Service
Service.objects.filter(name="Customer care").update(close_reason_required=True)
sales = Service.objects.create(name="Sales", chat_enabled=True)
user = get_user_model().objects.create_user("seller", password="occ-demo-seller", first_name="Sara", last_name="Seller")
profile = AgentProfile.objects.create(user=user, chat_enabled=True, whatsapp_enabled=True, max_interactions=2)
profile.services.add(sales)
"""


@pytest.fixture(scope="module")
def occ_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("occ-labels")
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
        OCC_WHATSAPP_TEMPLATES=json.dumps([]),
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
    yield base, tmp / "db.sqlite3"
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


@pytest.fixture(autouse=True)
def _patient_expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


def row(database, sql, *params):
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchone()


def interaction_of(database, address):
    return row(
        database,
        "SELECT i.id, i.state, s.name, r.name, i.wrap_up_note FROM interactions_interaction i "
        "JOIN interactions_contact c ON c.id = i.contact_id "
        "JOIN services_service s ON s.id = i.service_id "
        "LEFT JOIN interactions_closereason r ON r.id = i.close_reason_id "
        "WHERE c.address = ? ORDER BY i.id DESC",
        address,
    )


def context_for(browser, base, width=1366, height=850, phone=False, language="en"):
    context = browser.new_context(
        locale="it-IT" if language == "it" else "en-US",
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    if language == "it":
        context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    return context


def online_desk(context, base, credentials):
    from playwright.sync_api import expect

    desk = log_in(context, base, credentials)
    expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
    desk.click("#presence button[data-presence=online]")
    expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")
    return desk


def test_label_close_with_a_reason_and_transfer_to_another_service_with_a_note(browser, occ_server):
    from playwright.sync_api import expect

    base, database = occ_server
    os.makedirs(SHOTS, exist_ok=True)
    contexts = [context_for(browser, base) for _ in range(3)]
    try:
        desk = online_desk(contexts[0], base, AGENT)
        seller = online_desk(contexts[1], base, SELLER)
        phone = log_in(contexts[2], base, ADMIN)
        phone.goto(base + "/sandbox/phone/")

        # A label goes on the conversation, in the header and in the list, and into the database.
        write_from_phone(phone, MARIA, "Maria", "I want my money back")
        expect(desk.locator("#conv-title")).to_have_text("Maria")
        desk.select_option("#label-add", label="Refund · Rimborso")
        chip = desk.locator("#conv-labels .chip")
        expect(chip).to_have_count(1)
        expect(chip).to_contain_text("Refund · Rimborso")
        expect(desk.locator("#interaction-list li .chip")).to_contain_text("Refund · Rimborso")
        # White on the label's red: the colours the server chose for a readable contrast.
        assert chip.evaluate("n => getComputedStyle(n).color") == "rgb(255, 255, 255)"
        assert chip.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(198, 40, 40)"
        labelled = row(
            database,
            "SELECT l.name FROM interactions_interaction_labels il "
            "JOIN interactions_label l ON l.id = il.label_id",
        )
        assert labelled == ("Refund · Rimborso",)
        desk.screenshot(path=f"{SHOTS}/labelled-desk-1366x850-en.png")
        # The list's label filter: another label hides it (and says so), this one shows it.
        desk.select_option("#label-filter", label="VIP")
        expect(desk.locator("#interaction-list li")).to_have_count(0)
        expect(desk.locator("#filter-empty")).to_be_visible()
        desk.select_option("#label-filter", label="Refund · Rimborso")
        expect(desk.locator("#interaction-list li")).to_have_count(1)
        expect(desk.locator("#filter-empty")).to_be_hidden()
        desk.select_option("#label-filter", label="All labels")

        # Closing: Customer care requires a reason. The dialog says so; the server refuses too.
        desk.click("#close-button")
        dialog = desk.locator("#close-dialog")
        expect(dialog).to_be_visible()
        expect(desk.locator("#close-reason-required")).to_be_visible()
        desk.click("#close-confirm")
        expect(desk.locator("#close-error")).to_contain_text("requires a close reason")
        maria_id = interaction_of(database, MARIA)[0]
        desk.evaluate(f"window.occDesk.send({{type: 'close', interaction_id: {maria_id}}})")
        expect(desk.locator("#notice")).to_contain_text("requires a close reason")
        assert interaction_of(database, MARIA)[1] == "assigned"
        desk.select_option("#close-reason", label="Resolved · Risolto")
        desk.fill("#wrap-up-note", "Refund sent by bank transfer.")
        desk.click("#close-confirm")
        expect(dialog).to_be_hidden()
        expect(desk.locator("#interaction-list li")).to_have_count(0)
        assert interaction_of(database, MARIA)[1:] == (
            "closed",
            "Customer care",
            "Resolved · Risolto",
            "Refund sent by bank transfer.",
        )

        # The customer writes again: the history shows how the last conversation ended.
        write_from_phone(phone, MARIA, "Maria", "Thanks, one more question")
        expect(desk.locator("#messages .wrapup")).to_contain_text("Resolved · Risolto")
        expect(desk.locator("#messages .wrapup")).to_contain_text("Refund sent by bank transfer.")

        # Transfer to Sales' queue with a note: Sara gets it and reads who and why first.
        desk.click("#transfer-button")
        expect(desk.locator("#transfer-dialog")).to_be_visible()
        desk.get_by_label("Sales").check()
        desk.fill("#transfer-note", "customer wants a quote")
        desk.click("#transfer-confirm")
        expect(desk.locator("#transfer-dialog")).to_be_hidden()
        expect(desk.locator("#interaction-list li")).to_have_count(0)
        expect(seller.locator("#conv-title")).to_have_text("Maria")
        expect(seller.locator("#conv-handover")).to_contain_text(
            "Transferred by Alex Agent: customer wants a quote"
        )
        expect(seller.locator("#interaction-list li")).to_contain_text("Transferred by Alex Agent")
        assert interaction_of(database, MARIA)[1:3] == ("assigned", "Sales")
        seller.screenshot(path=f"{SHOTS}/receiving-desk-1366x850-en.png")

        # The customer still writes to the number they wrote to; Sara's conversation gets it.
        write_from_phone(phone, MARIA, "Maria", "Is the quote ready?")
        expect(seller.locator("#messages .msg.in").last).to_contain_text("Is the quote ready?")
    finally:
        for context in contexts:
            context.close()


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("width,height,phone", SIZES)
def test_screenshots_of_the_labels_page_and_the_dialogs(
    browser, occ_server, width, height, phone, language
):
    from playwright.sync_api import expect

    base, _database = occ_server
    os.makedirs(SHOTS, exist_ok=True)
    name = f"{width}x{height}-{language}"
    admin_context = context_for(browser, base, width, height, phone, language)
    desk_context = context_for(browser, base, width, height, phone, language)
    phone_context = context_for(browser, base)
    try:
        admin = log_in(admin_context, base, ADMIN)
        admin.goto(base + "/settings/labels/")
        expect(admin.locator("#label-table .chip").first).to_be_visible()
        assert admin.evaluate("document.documentElement.scrollWidth <= innerWidth")
        admin.screenshot(path=f"{SHOTS}/labels-{name}.png", full_page=True)

        desk = online_desk(desk_context, base, AGENT)
        customer = f"+3933300{width:04d}{len(language)}{int(language == 'it')}"
        writer = log_in(phone_context, base, ADMIN)
        writer.goto(base + "/sandbox/phone/")
        write_from_phone(writer, customer, "Giulia", "Ciao, ho bisogno di aiuto")
        if phone:
            expect(desk.locator("#interaction-list li")).not_to_have_count(0)
            desk.locator("#interaction-list li", has_text=customer).click()
        expect(desk.locator("#conv-title")).to_have_text("Giulia")

        desk.click("#close-button")
        expect(desk.locator("#close-dialog")).to_be_visible()
        desk.click("#close-confirm")  # the reason this service requires, in words
        expect(desk.locator("#close-error")).not_to_be_empty()
        for selector in ("#close-confirm", "#close-cancel", "#close-reason"):
            box = desk.locator(selector).bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, selector
        desk.screenshot(path=f"{SHOTS}/close-dialog-{name}.png")
        desk.click("#close-cancel")

        desk.click("#transfer-button")
        expect(desk.locator("#transfer-options input[value=queue]")).to_be_visible()
        desk.fill("#transfer-note", "Il cliente vuole un rimborso")
        box = desk.locator("#transfer-confirm").bounding_box()
        assert box and box["x"] + box["width"] <= width
        desk.screenshot(path=f"{SHOTS}/transfer-dialog-{name}.png")
        desk.click("#transfer-cancel")
        # Closed, so the next screenshot starts from an empty desk.
        desk.click("#close-button")
        desk.select_option("#close-reason", index=1)
        desk.click("#close-confirm")
        expect(desk.locator("#interaction-list li")).to_have_count(0)
    finally:
        for context in (admin_context, desk_context, phone_context):
            context.close()
