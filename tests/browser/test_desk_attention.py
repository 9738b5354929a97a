"""The desk's attention in a real browser: unread counts kept on the server, notifications, the composer.

Same server as tests/browser/test_desk.py (its own instance for this module);
the tests run in order and share its customers.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.test_desk import ADMIN, AGENT, log_in, occ_server, write_from_phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

ANNA, BRUNO, CARLA = "+393330005555", "+393330006666", "+393330007777"
SHOTS = "/work/shots/attention"


def go_online(desk):
    from playwright.sync_api import expect

    expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
    desk.click("#presence button[data-presence=online]")
    expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")


def open_phone(browser, base):
    context = browser.new_context(locale="en-US")
    phone = log_in(context, base, ADMIN)
    phone.goto(base + "/sandbox/phone/")
    return context, phone


def test_unread_counts_are_kept_on_the_server_across_reloads_and_tabs(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, database = occ_server
    with sqlite3.connect(database) as db:
        db.execute("UPDATE agents_agentprofile SET max_interactions = 5")
    context = browser.new_context(locale="en-US")
    phone_context, phone = open_phone(browser, base)
    try:
        desk = log_in(context, base, AGENT)
        go_online(desk)
        write_from_phone(phone, ANNA, "Anna", "Hello from Anna")
        expect(desk.locator("#conv-title")).to_have_text("Anna")
        bruno = desk.locator("#interaction-list li", has_text="Bruno")
        write_from_phone(phone, BRUNO, "Bruno", "First from Bruno")
        expect(bruno.locator(".badge")).to_have_text("1")
        write_from_phone(phone, BRUNO, "Bruno", "Second from Bruno")
        expect(bruno.locator(".badge")).to_have_text("2")
        expect(desk).to_have_title("(2) Desk · OCC")
        expect(desk.locator('link[rel="icon"]')).to_have_attribute("data-unread", "2")

        # A reload asks the server: still 2 for Bruno, none for Anna (read while in view).
        desk.reload()
        bruno = desk.locator("#interaction-list li", has_text="Bruno")
        expect(bruno.locator(".badge")).to_have_text("2")
        expect(
            desk.locator("#interaction-list li", has_text="Anna").locator(".badge")
        ).to_have_count(0)
        expect(desk).to_have_title("(2) Desk · OCC")

        # A second tab agrees; reading Bruno in the first clears it in both.
        other = context.new_page()
        other.goto(base + "/desk/")
        other_bruno = other.locator("#interaction-list li", has_text="Bruno")
        expect(other_bruno.locator(".badge")).to_have_text("2")
        bruno.click()
        expect(desk.locator("#conv-title")).to_have_text("Bruno")
        expect(bruno.locator(".badge")).to_have_count(0)
        expect(other_bruno.locator(".badge")).to_have_count(0)
        expect(other).to_have_title("Desk · OCC")
        expect(other.locator('link[rel="icon"]')).to_have_attribute("data-unread", "0")
        desk.reload()
        expect(desk.locator("#interaction-list li")).to_have_count(2)
        expect(desk.locator("#interaction-list .badge")).to_have_count(0)
    finally:
        context.close()
        phone_context.close()


# Every Notification the page creates, kept for the test (the real one is still shown).
RECORD_NOTIFICATIONS = """
window.__notes = [];
if (window.Notification) {
  const Real = window.Notification;
  window.Notification = class extends Real {
    constructor(title, options) { super(title, options); window.__notes.push({ title, body: (options || {}).body }); }
  };
}
"""
HIDE_TAB = """() => {
  Object.defineProperty(document, "hidden", { configurable: true, get: () => true });
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_background_tab_shows_a_desktop_notification_and_keeps_the_message_unread(
    browser,
    occ_server,  # noqa: F811
):
    """Runs after the unread test: the agent holds Anna and Bruno, both read."""
    from playwright.sync_api import expect

    base, _ = occ_server
    context = browser.new_context(locale="en-US")
    context.grant_permissions(["notifications"], origin=base)
    context.add_init_script(RECORD_NOTIFICATIONS)
    phone_context, phone = open_phone(browser, base)
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#interaction-list li")).to_have_count(2)
        expect(desk.locator("#conv-title")).to_have_text("Anna")
        # Permission already granted: no prompt.
        go_online(desk)
        expect(desk.locator("#notify-prompt")).to_be_hidden()
        desk.evaluate(HIDE_TAB)
        write_from_phone(phone, ANNA, "Anna", "Are you there?")
        desk.wait_for_function("() => window.__notes.length >= 1")
        notes = desk.evaluate("window.__notes")
        assert notes == [{"title": "Anna", "body": "Are you there?"}]
        # Hidden: even the conversation on screen stays unread until the tab is in front.
        expect(
            desk.locator("#interaction-list li", has_text="Anna").locator(".badge")
        ).to_have_text("1")
        expect(desk).to_have_title("(1) Desk · OCC")
    finally:
        context.close()
        phone_context.close()


def test_the_permission_is_asked_from_an_in_page_prompt_after_going_online_never_on_load(
    browser,
    occ_server,  # noqa: F811
):
    from playwright.sync_api import expect

    base, _ = occ_server
    context = browser.new_context(locale="en-US")
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(desk.locator("#interaction-list li")).to_have_count(2)
        desk.click("#presence button[data-presence=offline]")
        desk.click("#presence-keep")  # the agent holds conversations: the dialog asks
        expect(desk.locator("#presence button.active")).to_have_attribute(
            "data-presence", "offline"
        )
        assert desk.evaluate("Notification.permission") == "default"
        expect(desk.locator("#notify-prompt")).to_be_hidden()
        go_online(desk)
        expect(desk.locator("#notify-prompt")).to_be_visible()
        desk.click("#notify-later")
        expect(desk.locator("#notify-prompt")).to_be_hidden()
        # The preferences are the agent's, on the server: switched off here, off after a reload.
        desk.click("#desk-preferences summary")
        desk.uncheck('#desk-preferences input[data-pref="notify_desktop"]')
        desk.check('#desk-preferences input[data-pref="notify_sound"]')
        desk.wait_for_timeout(500)
        desk.reload()
        desk.click("#desk-preferences summary")
        expect(
            desk.locator('#desk-preferences input[data-pref="notify_desktop"]')
        ).not_to_be_checked()
        expect(desk.locator('#desk-preferences input[data-pref="notify_sound"]')).to_be_checked()
        desk.check('#desk-preferences input[data-pref="notify_desktop"]')
        desk.uncheck('#desk-preferences input[data-pref="notify_sound"]')
        desk.wait_for_timeout(500)
    finally:
        context.close()


VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Rossi;Mario;;;\r\nFN:Mario Rossi\r\nTEL;type=CELL:+39 333 123 4567\r\nEND:VCARD\r\n"


def _png(size: int = 8) -> bytes:
    """A real PNG picture (the server reads uploads from their bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x0b\x7a\x5a" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = _png()


def phone_post(phone_context, phone, base, fields, file=None, customer=None, name="Carla"):
    """What the phone simulator sends, with the fields of Twilio's webhook it can add."""
    token = next(c["value"] for c in phone_context.cookies() if c["name"] == "csrftoken")
    form = {
        "service": phone.locator("#service").input_value(),
        "customer": customer or CARLA,
        "name": name,
    }
    form.update(fields)
    if file is not None:
        form["image"] = file
    answer = phone_context.request.post(
        base + "/sandbox/phone/send/", multipart=form, headers={"X-CSRFToken": token}
    )
    assert answer.status == 201, answer.text()
    return answer.json()


def test_each_rich_inbound_type_is_shown_as_what_it_is(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, _ = occ_server
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    phone_context, phone = open_phone(browser, base)
    try:
        desk = log_in(context, base, AGENT)
        go_online(desk)
        first = phone_post(phone_context, phone, base, {"body": "Where do I send the parcel?"})
        carla = desk.locator("#interaction-list li", has_text="Carla")
        expect(carla).to_have_count(1)
        carla.click()
        expect(desk.locator("#conv-title")).to_have_text("Carla")
        phone_post(phone_context, phone, base, {"body": "This one", "reply_to": first["sid"]})
        phone_post(phone_context, phone, base, {"body": "And this?", "reply_to": "SM" + "f" * 32})
        phone_post(
            phone_context,
            phone,
            base,
            {"latitude": "45.4642", "longitude": "9.19", "address": "Piazza del Duomo, Milano"},
        )
        phone_post(
            phone_context, phone, base, {"button_text": "Yes, confirm", "button_payload": "yes"}
        )
        phone_post(
            phone_context,
            phone,
            base,
            {},
            {"name": "mario.vcf", "mimeType": "text/vcard", "buffer": VCARD},
        )
        phone_post(
            phone_context,
            phone,
            base,
            {},
            {"name": "s.webp", "mimeType": "image/webp", "buffer": PNG},
        )
        phone_post(
            phone_context,
            phone,
            base,
            {},
            {"name": "p.png", "mimeType": "image/png", "buffer": PNG},
        )
        phone_post(
            phone_context,
            phone,
            base,
            {},
            {"name": "v.ogg", "mimeType": "audio/ogg", "buffer": b"OggS" + bytes(60)},
        )
        phone_post(
            phone_context,
            phone,
            base,
            {},
            {"name": "f.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        )

        messages = desk.locator("#messages .msg.in")
        expect(messages).to_have_count(10)
        quote = messages.nth(1).locator("blockquote.quote")
        expect(quote).to_have_attribute("data-found", "1")
        expect(quote).to_contain_text("Where do I send the parcel?")
        expect(messages.nth(2).locator("blockquote.quote")).to_have_text(
            "In reply to a message not in OCC"
        )
        location = messages.nth(3).locator(".location")
        expect(location).to_contain_text("Piazza del Duomo, Milano")
        expect(location.locator("a")).to_have_attribute(
            "href", "https://www.openstreetmap.org/?mlat=45.4642&mlon=9.19#map=17/45.4642/9.19"
        )
        expect(messages.nth(4).locator(".button-reply")).to_have_text("Yes, confirm")
        card = messages.nth(5).locator(".vcard")
        expect(card).to_contain_text("Mario Rossi")
        expect(card.locator("a")).to_have_text("+39 333 123 4567")
        expect(messages.nth(6).locator("img.sticker")).to_have_count(1)
        expect(messages.nth(8).locator("audio[controls]")).to_have_count(1)
        expect(messages.nth(9).locator("a.file")).to_have_text("Download the PDF document")
        # The picture opens in the viewer.
        messages.nth(7).locator("button.viewer-open").click()
        expect(desk.locator("#image-viewer")).to_be_visible()
        desk.screenshot(path=f"{SHOTS}/rich-viewer-1366.png")
        desk.click("#image-viewer .viewer-close")
        expect(desk.locator("#image-viewer")).to_be_hidden()
        # No map tiles or other site was asked for anything.
        desk.screenshot(path=f"{SHOTS}/rich-1366.png")
        expect(
            desk.locator("#interaction-list li", has_text="Carla").locator(".preview")
        ).to_have_text("Document")
    finally:
        context.close()
        phone_context.close()


DARIO = "+393330008888"
PASTE_PICTURE = """(bytes) => {
  const file = new File([new Uint8Array(bytes)], "receipt.png", { type: "image/png" });
  const data = new DataTransfer();
  data.items.add(file);
  document.getElementById("reply-body").dispatchEvent(
    new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
}"""
PASTE_PROGRAM = PASTE_PICTURE.replace("receipt.png", "setup.exe").replace(
    "image/png", "application/x-msdownload"
)


def phone_chat(phone_context, phone, base, customer):
    query = {"service": phone.locator("#service").input_value(), "customer": customer}
    return phone_context.request.get(base + "/sandbox/phone/messages/", params=query).json()


def test_typing_tells_the_customer_once_and_enter_sends_while_shift_enter_starts_a_line(
    browser,
    occ_server,  # noqa: F811
):
    from playwright.sync_api import expect

    base, _ = occ_server
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    phone_context, phone = open_phone(browser, base)
    try:
        desk = log_in(context, base, AGENT)
        go_online(desk)
        first = phone_post(
            phone_context,
            phone,
            base,
            {"body": "Hi, I need a receipt"},
            customer=DARIO,
            name="Dario",
        )
        dario = desk.locator("#interaction-list li", has_text="Dario")
        dario.click()
        expect(desk.locator("#conv-title")).to_have_text("Dario")
        assert phone_chat(phone_context, phone, base, DARIO)["typing_indicators"] == []

        body = desk.locator("#reply-body")
        body.click()
        body.press_sequentially("Hello")
        # Twilio got the typing indicator for the customer's message, once however many keys.
        desk.wait_for_function("() => true")
        deadline_chat = None
        for _ in range(50):
            deadline_chat = phone_chat(phone_context, phone, base, DARIO)
            if deadline_chat["typing_indicators"]:
                break
            desk.wait_for_timeout(200)
        assert deadline_chat["typing_indicators"] == [first["sid"]]
        assert deadline_chat["typing"] is True
        # Blue ticks on the customer's phone: their message was read.
        [mine] = [m for m in deadline_chat["messages"] if m["direction"] == "from_customer"]
        assert mine["status"] == "read"
        phone.fill("#customer", DARIO)
        phone.dispatch_event("#customer", "change")
        expect(phone.locator("#phone-typing")).to_be_visible()
        expect(phone.locator(".bubble.mine .meta.read")).to_have_count(1)

        body.press("Shift+Enter")
        body.press_sequentially("there")
        expect(body).to_have_value("Hello\nthere")
        expect(desk.locator("#messages .msg.out")).to_have_count(0)
        body.press("Enter")
        expect(desk.locator("#messages .msg.out")).to_have_count(1)
        expect(desk.locator("#messages .msg.out .body")).to_have_text("Hello\nthere")
        expect(body).to_have_value("")
        desk.wait_for_timeout(500)
        assert phone_chat(phone_context, phone, base, DARIO)["typing_indicators"] == [first["sid"]]
        expect(phone.locator("#phone-typing")).to_be_hidden()

        # Paste a picture: attached with its name, sent with Enter.
        desk.evaluate(PASTE_PICTURE, list(PNG))
        expect(desk.locator("#attachment-name")).to_have_text("receipt.png")
        body.press("Enter")
        expect(desk.locator("#messages .msg.out")).to_have_count(2)
        expect(desk.locator("#messages .msg.out").last.locator("img")).to_have_count(1)
        # A program is refused in words, before any upload.
        desk.evaluate(PASTE_PROGRAM, list(PNG))
        expect(desk.locator("#composer-error")).to_contain_text(
            "“setup.exe” cannot be sent: WhatsApp takes pictures"
        )
        expect(desk.locator("#composer-error")).not_to_contain_text("application/")

        # The shortcuts' overlay, from "?" outside the composer.
        desk.locator("#conv-title").click()
        desk.keyboard.press("?")
        expect(desk.locator("#shortcuts-dialog")).to_be_visible()
        desk.screenshot(path=f"{SHOTS}/shortcuts-1366.png")
        desk.keyboard.press("Escape")
        expect(desk.locator("#shortcuts-dialog")).to_be_hidden()
        desk.keyboard.press("Alt+ArrowUp")
        expect(desk.locator("#conv-title")).not_to_have_text("Dario")
        # With Enter not sending (a preference), Enter is a new line.
        desk.click("#desk-preferences summary")
        desk.uncheck('#desk-preferences input[data-pref="enter_sends"]')
        desk.click("#desk-preferences summary")
        dario.click()
        body.click()
        body.press_sequentially("one")
        body.press("Enter")
        body.press_sequentially("two")
        expect(body).to_have_value("one\ntwo")
        expect(desk.locator("#messages .msg.out")).to_have_count(2)
        desk.click("#desk-preferences summary")
        desk.check('#desk-preferences input[data-pref="enter_sends"]')
        desk.wait_for_timeout(300)
    finally:
        context.close()
        phone_context.close()


# Counts the conversations the desk shows, to know a re-shown one has arrived.
COUNT_SHOWN = "() => { window.__shown = 0; window.occDesk.on('conversation', () => { window.__shown += 1; }); }"


def test_the_shortcuts_overlay_lists_what_works_and_each_listed_shortcut_works(
    browser,
    occ_server,  # noqa: F811
):
    """Runs after the composer test: the agent holds Dario's conversation and others."""
    from playwright.sync_api import expect

    base, _ = occ_server
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.locator("#interaction-list li", has_text="Dario").click()
        expect(desk.locator("#conv-title")).to_have_text("Dario")
        desk.locator("#conv-title").click()
        desk.keyboard.press("?")
        rows = desk.locator("#shortcuts-list tr")
        expect(rows.first).to_be_visible()
        listed = rows.evaluate_all("rows => rows.map(r => r.dataset.shortcut)")
        assert listed == [
            "send",
            "newline",
            "send-always",
            "canned-slash",
            "mention",
            "menu",
            "next",
            "close",
            "transfer",
            "canned",
            "help",
        ], listed
        transfer = desk.locator('#shortcuts-list tr[data-shortcut="transfer"] td')
        expect(transfer).to_have_text(["Alt+T", "Transfer the conversation"])
        desk.keyboard.press("Escape")
        expect(desk.locator("#shortcuts-dialog")).to_be_hidden()

        # Each listed shortcut does what it says, from the reply box too.
        body = desk.locator("#reply-body")
        body.click()
        desk.keyboard.press("Alt+t")
        expect(desk.locator("#transfer-dialog")).to_be_visible()
        desk.click("#transfer-cancel")
        body.click()
        desk.keyboard.press("Alt+w")
        expect(desk.locator("#close-dialog")).to_be_visible()
        desk.click("#close-cancel")
        body.click()
        desk.keyboard.press("Alt+/")
        expect(desk.locator("#canned-menu")).to_be_visible()
        expect(desk.locator("#canned-menu")).to_have_attribute("data-mode", "browse")
        desk.keyboard.press("Escape")
        expect(desk.locator("#canned-menu")).to_be_hidden()

        # What is being written stays with its conversation.
        body.fill("A draft for Dario")
        desk.keyboard.press("Alt+ArrowDown")
        expect(desk.locator("#conv-title")).not_to_have_text("Dario")
        expect(body).to_have_value("")
        desk.keyboard.press("Alt+ArrowUp")
        expect(desk.locator("#conv-title")).to_have_text("Dario")
        expect(body).to_have_value("A draft for Dario")

        # The same conversation shown again (a resync) keeps an open canned list open.
        body.fill("")
        body.press_sequentially("/")
        expect(desk.locator("#canned-menu")).to_be_visible()
        desk.evaluate(COUNT_SHOWN)
        desk.evaluate(
            "() => window.occDesk.send({type: 'open', interaction_id: window.occDesk.state.selected})"
        )
        desk.wait_for_function("() => window.__shown > 0")
        expect(desk.locator("#canned-menu")).to_be_visible()
        expect(body).to_have_value("/")
        body.press("Escape")
        expect(desk.locator("#canned-menu")).to_be_hidden()
        expect(body).to_have_value("/")
        body.fill("")
    finally:
        context.close()


# The English words of what this module's parts show, which the Italian desk must not.
ENGLISH = [
    "Preferences",
    "Desktop notifications",
    "Sound",
    "Enter sends",
    "Press ?",
    "Allow notifications",
    "Not now",
    "Keyboard shortcuts",
    "A new line",
    "Next / previous conversation",
    "Close the conversation",
    "Open the map",
    "Tapped the button",
    "In reply to",
    "not in OCC",
    "Download",
    "recording",
    "The customer",
    "Your reply",
    "Assigned to you",
    "via the website widget",
    "Document",
    "Picture",
    "Contact",
    "Location",
    "Show larger",
    "Live",
    "Send",
    "Attach",
    "Transfer",
]
ITALIAN_TEXT = """() => { const clone = document.body.cloneNode(true);
  clone.querySelectorAll('.msg .body, .vcard-entry, .location strong, .location .muted, blockquote[data-found="1"],'
    + ' .button-reply, #interaction-list .preview, .sandbox-banner, .topbar, #conv-title, #conv-meta, .msg .meta,'
    + ' dialog:not([open])').forEach(n => n.remove());
  return clone.innerText + ' ' + [...clone.querySelectorAll('[placeholder],[aria-label],[alt],[title]')]
    .map(n => ['placeholder', 'aria-label', 'alt', 'title'].map(a => n.getAttribute(a) || '').join(' ')).join(' '); }"""


def italian_context(browser, base, width, height, phone):
    context = browser.new_context(
        locale="it-IT",
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    context.add_cookies([{"name": "django_language", "value": "it", "url": base}])
    return context


def english_in(text: str) -> list[str]:
    import re

    return [w for w in ENGLISH if re.search(r"(?<![\w])" + re.escape(w) + r"(?![\w])", text)]


def test_the_italian_desk_with_rich_messages_dialogs_and_menus_shows_no_english(
    browser,
    occ_server,  # noqa: F811
):
    from playwright.sync_api import expect

    base, _ = occ_server
    context = italian_context(browser, base, 1366, 850, False)
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.locator("#interaction-list li", has_text="Carla").click()
        expect(desk.locator("#messages .msg.in")).to_have_count(10)
        expect(desk.locator(".vcard-entry")).to_have_count(1)
        desk.click("#desk-preferences summary")
        found = english_in(desk.evaluate(ITALIAN_TEXT))
        assert found == [], found
        desk.screenshot(path=f"{SHOTS}/desk-rich-1366x850-it.png")
        desk.click("#desk-preferences summary")
        desk.locator("#conv-title").click()
        desk.keyboard.press("?")
        expect(desk.locator("#shortcuts-dialog")).to_be_visible()
        expect(desk.locator('#shortcuts-list tr[data-shortcut="newline"]')).to_contain_text(
            "Maiusc+Invio"
        )
        found = english_in(desk.evaluate(ITALIAN_TEXT))
        assert found == [], found
        desk.screenshot(path=f"{SHOTS}/shortcuts-1366x850-it.png")
        desk.keyboard.press("Escape")
        desk.click("#presence button[data-presence=away]")
        expect(desk.locator("#presence-dialog")).to_be_visible()
        found = english_in(desk.evaluate(ITALIAN_TEXT))
        assert found == [], found
        desk.screenshot(path=f"{SHOTS}/presence-dialog-1366x850-it.png")
        desk.click("#presence-cancel")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("width,height,phone", [(390, 844, True), (1366, 850, False)])
def test_screenshots_of_the_desk_and_the_supervisor(
    browser,
    occ_server,  # noqa: F811
    width,
    height,
    phone,
    language,
):
    from playwright.sync_api import expect

    base, _ = occ_server
    if language == "it":
        context = italian_context(browser, base, width, height, phone)
    else:
        context = browser.new_context(
            locale="en-US",
            viewport={"width": width, "height": height},
            is_mobile=phone,
            has_touch=phone,
        )
    try:
        desk = log_in(context, base, AGENT)
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.locator("#interaction-list li", has_text="Carla").click()
        expect(desk.locator(".vcard-entry")).to_have_count(1)
        desk.wait_for_timeout(300)
        assert desk.evaluate("document.documentElement.scrollWidth <= innerWidth")
        desk.screenshot(path=f"{SHOTS}/desk-{width}x{height}-{language}.png")
        if phone:
            desk.click("#back-button")
            desk.screenshot(path=f"{SHOTS}/desk-list-{width}x{height}-{language}.png")
        context.close()
        context = (
            italian_context(browser, base, width, height, phone)
            if language == "it"
            else browser.new_context(
                locale="en-US",
                viewport={"width": width, "height": height},
                is_mobile=phone,
                has_touch=phone,
            )
        )
        supervisor = log_in(context, base, ADMIN)
        supervisor.goto(base + "/desk/supervisor/")
        expect(supervisor.locator("#open tbody tr").first).to_be_visible()
        supervisor.wait_for_timeout(300)
        assert supervisor.evaluate("document.documentElement.scrollWidth <= innerWidth")
        supervisor.screenshot(
            path=f"{SHOTS}/supervisor-{width}x{height}-{language}.png", full_page=True
        )
    finally:
        context.close()


def test_going_offline_with_conversations_asks_and_the_services_rule_returns_them_later(
    browser,
    occ_server,  # noqa: F811
):
    """Runs last: the agent holds conversations; an administrator sets the service's rule."""
    import os
    import subprocess
    import sys

    from playwright.sync_api import expect

    from tests.browser.test_desk import REPO

    base, database = occ_server
    admin_context = browser.new_context(locale="en-US")
    context = browser.new_context(locale="en-US")
    try:
        admin = log_in(admin_context, base, ADMIN)
        admin.goto(base + "/services/")
        admin.locator("table a").first.click()
        admin.select_option("#id_offline_conversations", "requeue")
        admin.fill("#id_offline_after_minutes", "5")
        admin.click("#service-form [type=submit]")
        expect(admin.locator("body")).not_to_contain_text("errorlist")
        with sqlite3.connect(database) as db:
            assert db.execute(
                "SELECT offline_conversations, offline_after_minutes FROM services_service"
            ).fetchall() == [("requeue", 5)]

        desk = log_in(context, base, AGENT)
        go_online(desk)
        held = desk.locator("#interaction-list li").count()
        assert held >= 2
        # Away: the dialog asks; keeping them changes nothing but the presence.
        desk.click("#presence button[data-presence=away]")
        dialog = desk.locator("#presence-dialog")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text(f"You hold {held} conversations")
        desk.screenshot(path=f"{SHOTS}/presence-dialog-1366.png")
        desk.click("#presence-keep")
        expect(dialog).to_be_hidden()
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "away")
        expect(desk.locator("#interaction-list li")).to_have_count(held)
        # Offline, keeping them: the service's rule starts its 5-minute timer.
        desk.click("#presence button[data-presence=offline]")
        expect(dialog).to_be_visible()
        desk.click("#presence-keep")
        expect(desk.locator("#presence button.active")).to_have_attribute(
            "data-presence", "offline"
        )
        with sqlite3.connect(database) as db:
            timers = db.execute(
                "SELECT (julianday(run_after) - julianday('now')) * 1440 FROM django_tasks_database_dbtaskresult"
                " WHERE task_path = 'desk.tasks.release_after_offline' AND status = 'READY'"
            ).fetchall()
            assert len(timers) == 1 and 4 < timers[0][0] <= 5, timers
            # Five minutes later, as a worker sees it.
            db.execute(
                "UPDATE django_tasks_database_dbtaskresult SET run_after = datetime('now', '-1 second')"
                " WHERE task_path = 'desk.tasks.release_after_offline'"
            )
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(SQLITE_PATH=str(database), OCC_SANDBOX="1", DEBUG="1")
        subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            timeout=120,
        )
        with sqlite3.connect(database) as db:
            assert db.execute(
                "SELECT count(*) FROM interactions_interaction WHERE state = 'assigned'"
            ).fetchone() == (0,)
        # The worker's push travels through Redis in production; this server's layer is in
        # memory, so the desk learns it from the server on a reload.
        desk.reload()
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(desk.locator("#interaction-list li")).to_have_count(0)
        expect(desk.locator("#empty-list")).to_contain_text("You are offline")

        # Online again takes them back from the queue; Offline and "return them now" empties the desk at once.
        go_online(desk)
        expect(desk.locator("#interaction-list li")).to_have_count(held)
        desk.click("#presence button[data-presence=offline]")
        desk.click("#presence-release")
        expect(desk.locator("#presence button.active")).to_have_attribute(
            "data-presence", "offline"
        )
        expect(desk.locator("#interaction-list li")).to_have_count(0)
        with sqlite3.connect(database) as db:
            assert db.execute(
                "SELECT count(*) FROM interactions_interaction WHERE state = 'queued'"
            ).fetchone() == (held,)
        go_online(desk)
        expect(desk.locator("#interaction-list li")).to_have_count(held)
    finally:
        context.close()
        admin_context.close()
