"""The desk's attention, layout and language in a real browser: unread badges, every width, Italian.

Same server as tests/browser/test_desk.py (its own instance for this module);
the tests run in order: the first one's customers fill the desk the others look at.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.browser.test_desk import ADMIN, AGENT, log_in, occ_server, write_from_phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

ANNA, BRUNO = "+393330003333", "+393330004444"
SHOTS = "/tmp/desk-shots"
# (width, height, phone?)
SIZES = [
    (360, 740, True),
    (390, 844, True),
    (768, 1024, True),
    (1366, 768, False),
    (1366, 850, False),
    (1920, 1080, False),
]
# Words of the English desk and supervisor that the Italian pages must not show.
# ("Online" and "Offline" are the Italian words too.)
ENGLISH = [
    "Live",
    "Reconnecting",
    "Connecting",
    "My interactions",
    "Transfer",
    "Close interaction",
    "Send",
    "Write a reply",
    "Attach",
    "Assigned to you",
    "min ago",
    "ago",
    "least loaded",
    "never assigned",
    "Interaction #",
    "current",
    "queued",
    "assigned",
    "delivered",
    "read",
    "Back to the queue",
    "Reassign",
    "Move to",
    "nobody",
    "Queues",
    "Agents",
    "Open interactions",
    "Last 24 hours",
    "Interactions per hour",
    "Longest wait",
    "Conversations",
    "Away",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
    " AM",
    " PM",
]


def go_online(desk):
    from playwright.sync_api import expect

    expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
    desk.click("#presence button[data-presence=online]")
    expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")


def test_the_unread_badge_counts_each_message_once_and_opening_clears_it(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, database = occ_server
    with sqlite3.connect(database) as db:
        db.execute("UPDATE agents_agentprofile SET max_interactions = 5")
    desk_context, phone_context = (
        browser.new_context(locale="en-US"),
        browser.new_context(locale="en-US"),
    )
    try:
        desk = log_in(desk_context, base, AGENT)
        go_online(desk)
        expect(desk.locator("#empty-list")).to_contain_text("You are online")
        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        write_from_phone(phone, ANNA, "Anna", "Hello from Anna")
        expect(desk.locator("#conv-title")).to_have_text("Anna")
        expect(desk.locator("#conv-assigned")).to_contain_text("Assigned to you")
        expect(desk.locator("#conv-head, .conv-head")).not_to_contain_text("least loaded")
        expect(desk.locator("#empty-list")).to_be_hidden()

        bruno = desk.locator("#interaction-list li", has_text="Bruno")
        write_from_phone(phone, BRUNO, "Bruno", "First from Bruno")
        expect(bruno.locator(".badge")).to_have_text("1")
        expect(desk).to_have_title("(1) Desk · OCC")
        expect(bruno.locator(".preview")).to_have_text("First from Bruno")
        write_from_phone(phone, BRUNO, "Bruno", "Second from Bruno")
        expect(bruno.locator(".badge")).to_have_text("2")
        expect(desk).to_have_title("(2) Desk · OCC")
        # Anna, in view, has no badge.
        expect(
            desk.locator("#interaction-list li", has_text="Anna").locator(".badge")
        ).to_have_count(0)

        bruno.click()
        expect(desk.locator("#conv-title")).to_have_text("Bruno")
        expect(bruno.locator(".badge")).to_have_count(0)
        expect(desk).to_have_title("Desk · OCC")
    finally:
        desk_context.close()
        phone_context.close()


def open_desk(browser, base, width, height, phone, language="en-US"):
    from playwright.sync_api import expect

    context = browser.new_context(
        locale=language,
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    if language == "it-IT":
        context.add_cookies([{"name": "django_language", "value": "it", "url": base}])
    desk = log_in(context, base, AGENT)
    expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
    expect(desk.locator("#interaction-list li")).to_have_count(2)
    desk.locator("#interaction-list li").first.click()
    expect(desk.locator("#messages .msg").first).to_be_visible()
    return context, desk


def open_supervisor(browser, base, width, height, phone, language="en-US"):
    from playwright.sync_api import expect

    context = browser.new_context(
        locale=language,
        viewport={"width": width, "height": height},
        is_mobile=phone,
        has_touch=phone,
    )
    if language == "it-IT":
        context.add_cookies([{"name": "django_language", "value": "it", "url": base}])
    page = log_in(context, base, ADMIN)
    page.goto(base + "/desk/supervisor/")
    expect(page.locator("#open tbody tr")).to_have_count(2)
    return context, page


def inside(page, selector):
    box = page.locator(selector).bounding_box()
    width, height = page.evaluate("[innerWidth, innerHeight]")
    assert box, f"{selector} is not shown"
    assert (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= width
        and box["y"] + box["height"] <= height
    ), (selector, box, width, height)


@pytest.mark.parametrize("width,height,phone", SIZES)
def test_no_sideways_scroll_and_send_and_close_in_view_at_every_width(
    browser, occ_server, width, height, phone
):  # noqa: F811
    base, _ = occ_server
    context, desk = open_desk(browser, base, width, height, phone)
    try:
        assert desk.evaluate("document.documentElement.scrollWidth <= innerWidth"), desk.evaluate(
            "document.documentElement.scrollWidth"
        )
        inside(desk, "#send-button")
        inside(desk, "#close-button")
        inside(desk, "#reply-body")
        if phone and width < 760:
            # Full-screen conversation with a way back to the list.
            assert not desk.locator("#interaction-list").is_visible()
            desk.click("#back-button")
            assert desk.locator("#interaction-list").is_visible()
            assert not desk.locator("#send-button").is_visible()
    finally:
        context.close()
    context, supervisor = open_supervisor(browser, base, width, height, phone)
    try:
        assert supervisor.evaluate("document.documentElement.scrollWidth <= innerWidth"), (
            supervisor.evaluate("document.documentElement.scrollWidth")
        )
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en-US", "it-IT"])
@pytest.mark.parametrize("width,height,phone", [(390, 844, True), (1366, 850, False)])
def test_screenshots_of_the_desk_and_the_supervisor(
    browser, occ_server, width, height, phone, language
):  # noqa: F811
    base, _ = occ_server
    for opener, name in ((open_desk, "desk"), (open_supervisor, "supervisor")):
        context, page = opener(browser, base, width, height, phone, language)
        try:
            page.wait_for_timeout(300)
            page.screenshot(
                path=f"{SHOTS}/{name}-{width}x{height}-{language[:2]}.png",
                full_page=name == "supervisor",
            )
        finally:
            context.close()


def test_the_italian_desk_and_supervisor_show_no_english(browser, occ_server):  # noqa: F811
    import re

    base, _ = occ_server
    for opener in (open_desk, open_supervisor):
        context, page = opener(browser, base, 1366, 850, False, "it-IT")
        try:
            page.wait_for_timeout(300)
            # Customers' names, numbers and messages are data: only the page's own words count.
            text = page.evaluate(
                """() => { const clone = document.body.cloneNode(true);
                   clone.querySelectorAll('script, style, .msg .body, #interaction-list .preview, .sandbox-banner, .topbar, td:nth-child(2)')
                     .forEach(n => n.remove());
                   return clone.innerText + ' ' + [...clone.querySelectorAll('[placeholder],[aria-label]')]
                     .map(n => (n.getAttribute('placeholder') || '') + ' ' + (n.getAttribute('aria-label') || '')).join(' '); }"""
            )
            found = [
                word
                for word in ENGLISH
                if re.search(r"(?<![\w])" + re.escape(word) + r"(?![\w])", text)
            ]
            assert found == [], f"{page.url}: {found}\n{text}"
        finally:
            context.close()


def test_what_the_page_hides_stays_hidden_whatever_its_own_display(browser, occ_server):  # noqa: F811
    """A button's `display:inline-block` once beat `hidden`: "New conversation" showed before
    the agent's services had arrived, and opening it then said "You serve no service"."""
    base, _db = occ_server
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 850})
    try:
        desk = log_in(context, base, AGENT)
        shown = desk.evaluate(
            """() => ['button', 'a', 'div', 'section'].map(tag => {
                const node = document.createElement(tag);
                node.className = tag === 'a' ? 'button' : 'primary';
                node.textContent = 'x';
                node.hidden = true;
                document.body.appendChild(node);
                const display = getComputedStyle(node).display;
                node.remove();
                return tag + ':' + display;
            })"""
        )
        assert shown == ["button:none", "a:none", "div:none", "section:none"], shown
    finally:
        context.close()
