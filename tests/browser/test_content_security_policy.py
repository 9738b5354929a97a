"""Each kind of page works in Chromium under the Content-Security-Policy, with zero violations.

The conftest fails any browser test with a violation; these tests visit one
page of each kind and check that what its scripts do still happens (the
desk's socket connects, Swagger UI draws the API, a confirmation is asked),
since a blocked script shows no error on the page itself. The console runs on
the test server (DEBUG off, as in production); the desk, the supervisor and
the phone simulator need WebSockets and the sandbox, so they run on the
Daphne server of test_desk.py.
"""

from __future__ import annotations

import pytest

from tests.browser.test_desk import ADMIN, AGENT, WAIT_MS, log_in, occ_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def policy_of(response) -> str:
    header = response.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in header, header
    return header


def sign_in_as_administrator(page, base):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "admin-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/**")


@pytest.mark.django_db(transaction=True)
def test_the_console_pages_work_under_the_policy(
    page, live_server, admin_user, make_agent, service
):
    from playwright.sync_api import expect

    from agents.models import AgentProfile

    agent = make_agent("bea")
    base = live_server.url
    policy_of(page.goto(f"{base}/accounts/login/"))
    sign_in_as_administrator(page, base)

    # The language menu switches on change (a listener now, not an onchange attribute).
    page.select_option("select[name=language]", "it")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "it")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # Deactivating asks first; dismissing the question keeps the service active.
    policy_of(page.goto(f"{base}/services/"))
    # A styled dialog, not the browser's confirm(): none may open.
    page.on("dialog", lambda dialog: pytest.fail(f"a native dialog: {dialog.message}"))
    page.get_by_role("button", name="Deactivate").first.click()
    question = page.locator("dialog.confirm-dialog[open]")
    expect(question).to_contain_text("Deactivate this service?")
    question.get_by_role("button", name="Cancel").click()
    expect(page.locator("dialog.confirm-dialog")).to_have_count(0)
    service.refresh_from_db()
    assert service.is_active
    # Confirming sends the form.
    page.get_by_role("button", name="Deactivate").first.click()
    with page.expect_navigation():
        page.locator("dialog.confirm-dialog[open]").get_by_role("button", name="Deactivate").click()
    service.refresh_from_db()
    assert not service.is_active
    service.is_active = True
    service.save()

    # A user's profile: WhatsApp follows Chat.
    policy_of(page.goto(f"{base}/users/{agent.user.pk}/"))
    chat, whatsapp = (
        page.get_by_label("Chat", exact=True),
        page.get_by_label("WhatsApp", exact=True),
    )
    expect(whatsapp).to_be_enabled()
    chat.uncheck()
    expect(whatsapp).to_be_disabled()
    expect(whatsapp).not_to_be_checked()
    assert AgentProfile.objects.get(pk=agent.pk).chat_enabled  # nothing saved by the script

    for path in (
        "/settings/advanced/chat-channel/",
        "/settings/widgets/new/",
        "/settings/api-tokens/",
        "/settings/audit/",
        "/users/",
    ):
        response = page.goto(base + path)
        assert response.status == 200, path
        policy_of(response)


@pytest.mark.django_db(transaction=True)
def test_the_widget_page_copies_its_snippet(
    page, browser_context, live_server, admin_user, service
):
    from widgets.models import Widget

    widget = Widget.objects.create(name="Shop", whatsapp_service=service, in_use=True)
    browser_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in_as_administrator(page, live_server.url)
    policy_of(page.goto(f"{live_server.url}/settings/widgets/{widget.pk}/"))
    page.click("#copy-snippet")
    page.wait_for_selector("#copy-snippet:text('Copied')")
    assert page.evaluate("() => navigator.clipboard.readText()") == page.inner_text(
        "#widget-snippet"
    )


@pytest.mark.django_db(transaction=True)
def test_swagger_ui_draws_the_api_under_the_policy(page, live_server, admin_user):
    from playwright.sync_api import expect

    sign_in_as_administrator(page, live_server.url)
    policy_of(page.goto(f"{live_server.url}/api/docs/"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("OCC API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    # An operation opens, with its parameters and responses.
    page.locator(".swagger-ui .opblock-summary").first.click()
    expect(page.locator(".swagger-ui .opblock-body").first).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_the_admin_and_a_missing_page_under_the_policy(page, live_server, admin_user):
    from playwright.sync_api import expect

    sign_in_as_administrator(page, live_server.url)
    policy_of(page.goto(f"{live_server.url}/admin/auth/user/{admin_user.pk}/change/"))
    expect(page.locator("#id_username")).to_have_value("ada")
    missing = page.goto(f"{live_server.url}/no-such-page/")
    assert missing.status == 404
    policy_of(missing)


def test_desk_supervisor_and_phone_work_under_the_policy(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, _database = occ_server
    agent_context, admin_context = (
        browser.new_context(locale="en-US"),
        browser.new_context(locale="en-US"),
    )
    try:
        desk = log_in(agent_context, base, AGENT)
        expect(desk).to_have_url(base + "/desk/", timeout=WAIT_MS)
        # The socket connects: 'self' covers ws: on the page's own host and port.
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected", timeout=WAIT_MS)

        admin = log_in(admin_context, base, ADMIN)
        admin.wait_for_url("**/console/**")
        admin.goto(base + "/desk/supervisor/")
        expect(admin.locator("#conn")).to_have_attribute("data-state", "connected", timeout=WAIT_MS)

        admin.goto(base + "/sandbox/phone/")
        expect(admin.locator("#service option").first).to_contain_text("+")
        # Enter in a setup field submits nothing (a listener now, not onsubmit="return false").
        admin.press("#name", "Enter")
        assert admin.url == base + "/sandbox/phone/"
        expect(admin.locator("#phone-head")).not_to_be_empty(timeout=WAIT_MS)
    finally:
        agent_context.close()
        admin_context.close()
