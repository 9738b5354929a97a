"""axe-core on the pages people work in: nothing serious or critical on login, desk, supervisor, console.

Same server as tests/browser/test_desk.py (its own instance for this module),
with one customer's conversation on the desk so the pages are not empty.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_desk import ADMIN, AGENT, log_in, occ_server, write_from_phone  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

CONSOLE = [
    "/console/",
    "/services/",
    "/users/",
    "/settings/advanced/chat-channel/",
    "/settings/widgets/",
    "/settings/webhooks/",
    "/settings/api-tokens/",
    "/settings/tasks/",
    "/settings/audit/",
]


def serious(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_login_page(browser, occ_server):
    base, _ = occ_server
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(base + "/accounts/login/")
        assert serious(page) == []
    finally:
        context.close()


def test_the_empty_supervisor_view_says_what_is_true(browser, occ_server):
    """Before any customer writes: the queue is listed, the agents too, and no conversation is open."""
    base, _ = occ_server
    context = browser.new_context(locale="en-US")
    try:
        page = log_in(context, base, ADMIN)
        page.goto(base + "/desk/supervisor/")
        page.locator("#conn[data-state=connected]").wait_for()
        page.locator("#queues tbody tr").first.wait_for()
        page.locator("#agents tbody tr").first.wait_for()
        assert (
            page.locator("section:has(#open) .table-empty")
            .inner_text()
            .startswith("No conversation is open right now")
        )
        assert not page.locator("section:has(#queues) .table-empty").is_visible()
        assert not page.locator("section:has(#agents) .table-empty").is_visible()
        assert serious(page) == []
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en-US", "it-IT"])
def test_desk_and_supervisor_with_a_conversation(browser, occ_server, locale):
    base, _ = occ_server
    agent_context, admin_context, phone_context = (
        browser.new_context(locale=locale) for _ in range(3)
    )
    try:
        desk = log_in(agent_context, base, AGENT)
        desk.wait_for_url("**/desk/")
        desk.locator("#conn[data-state=connected]").wait_for()
        desk.click("#presence button[data-presence=online]")
        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        write_from_phone(phone, "+393330007777", "Vera", "Hello, is my order on its way?")
        desk.locator("#messages .msg.in").first.wait_for()
        desk.wait_for_timeout(300)
        found = serious(desk)
        supervisor = log_in(admin_context, base, ADMIN)
        supervisor.goto(base + "/desk/supervisor/")
        supervisor.wait_for_timeout(800)
        found += serious(supervisor)
        assert found == []
    finally:
        for context in (agent_context, admin_context, phone_context):
            context.close()


def test_console_pages(browser, occ_server):
    base, _ = occ_server
    context = browser.new_context(locale="en-US")
    try:
        page = log_in(context, base, ADMIN)
        page.wait_for_load_state()
        found = []
        for path in CONSOLE:
            response = page.goto(base + path)
            assert response is not None and response.status == 200, path
            found += serious(page)
        assert found == []
    finally:
        context.close()
