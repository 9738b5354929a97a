"""An administrator walks steps 1-6 of the product document through the console in a real browser."""

from __future__ import annotations

import pytest

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_NUMBER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base_url):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "admin-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")


def test_administrator_configures_whatsapp_end_to_end(page, live_server, admin_user, fake_twilio):
    from agents.models import AgentProfile
    from services.models import Service
    from settings.models import ChatChannelSettings
    from widgets.models import Widget

    # The company's website already has a widget in use, not yet leading anywhere.
    widget = Widget.objects.create(name="Website", in_use=True)
    Service.objects.create(name="Back office", chat_enabled=True)  # no WhatsApp: never offered

    base = live_server.url
    log_in(page, base)

    # The console's home lists the steps to do, open, with step 1 next; its link leads there.
    checklist = page.locator("#setup-checklist")
    assert checklist.get_attribute("open") is not None
    assert "1 of 5 steps done" in checklist.inner_text()  # Back office is a service
    assert page.locator(".setup-step[data-done=true]").get_attribute("data-step") == "service"
    assert page.locator(".setup-step.next").get_attribute("data-step") == "chat_channel"
    page.locator(".setup-step.next a").click()
    page.wait_for_url("**/settings/advanced/chat-channel/")

    # 1. Settings → Advanced → Chat channel: WhatsApp, Account SID, Auth Token, Verify account.
    page.get_by_label("Enable WhatsApp").check()
    page.get_by_label("Account SID").fill(ACCOUNT_SID)
    page.get_by_label("Auth Token", exact=True).fill(AUTH_TOKEN)
    page.get_by_role("button", name="Verify account").click()
    page.wait_for_selector(".flash li")
    assert "Account verified: OCC Test, status active." in page.inner_text(".flash")
    # The token is never put back into the page.
    assert page.get_by_label("Auth Token", exact=True).input_value() == ""
    assert AUTH_TOKEN not in page.content()
    assert f"{base}/whatsapp/twilio/inbound" in page.inner_text("#webhook-urls")

    # 2-4. Services: a new service with the chat channel, WhatsApp and the Twilio phone number.
    page.get_by_role("link", name="Services", exact=True).first.click()
    page.click("#new-service")
    page.get_by_label("Name").fill("Customer care")
    page.get_by_label("Chat channel").check()
    page.get_by_label("WhatsApp", exact=True).check()
    # First without the number: the form says what is missing, next to the field.
    page.get_by_label("Twilio phone number").fill("")
    page.get_by_role("button", name="Save").click()
    assert "needs the Twilio phone number" in page.inner_text("#field-twilio_number")
    page.get_by_label("Twilio phone number").fill("+39 02 1234 5678")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/services/")
    row = page.locator("#service-table tbody tr", has_text="Customer care")
    assert SERVICE_NUMBER in row.inner_text() and "Ready" in row.inner_text()

    # 5. Users: an agent with Chat, WhatsApp, Max interactions and the service.
    page.get_by_role("link", name="Users", exact=True).click()
    page.click("#new-agent")
    page.get_by_label("Username").fill("alex")
    page.get_by_label("First name").fill("Alex")
    page.get_by_label("Password", exact=True).fill("green-lamp-1984")
    page.get_by_label("Password confirmation").fill("green-lamp-1984")
    page.get_by_role("button", name="Create agent").click()
    page.wait_for_url("**/users/*/")
    whatsapp = page.get_by_label("WhatsApp", exact=True)
    assert whatsapp.is_disabled()  # only while Chat is on
    page.get_by_label("Chat", exact=True).check()
    whatsapp.check()
    page.get_by_label("Max interactions").fill("4")
    page.get_by_label("Customer care").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/users/")
    row = page.locator("#user-table tbody tr", has_text="alex")
    assert "Customer care" in row.inner_text()

    # 6. Settings → Widget → Widget in use → Channels → WhatsApp: the service behind the widget.
    page.get_by_role("link", name="Widget", exact=True).click()
    page.get_by_role("link", name="Website").click()
    select = page.get_by_label("WhatsApp service")
    offered = [text.strip() for text in select.locator("option").all_inner_texts()]
    assert "Customer care" in offered and "Back office" not in offered
    select.select_option(label="Customer care")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".flash li")
    assert (
        "Customer care"
        in page.get_by_label("WhatsApp service").locator("option:checked").inner_text()
    )

    # Every step done: the home says so and folds the checklist away.
    page.get_by_role("link", name="Home", exact=True).click()
    assert page.locator("#setup-checklist").get_attribute("open") is None
    assert page.locator("#setup-checklist[data-complete=true]").is_visible()
    assert "5 of 5 steps done" in page.inner_text("#setup-checklist summary")
    assert page.locator(".setup-step[data-done=true]").count() == 5

    # The language switch in the page turns the console Italian (the product document's labels).
    with page.expect_navigation():
        page.select_option("select[name=language]", "it")
    page.goto(f"{base}/settings/advanced/chat-channel/")
    assert "Canale Chat" in page.inner_text("h1")
    assert page.get_by_role("button", name="Verifica Account").is_visible()

    config = ChatChannelSettings.load()
    assert config.whatsapp_enabled and config.account_sid == ACCOUNT_SID
    assert config.get_auth_token() == AUTH_TOKEN and AUTH_TOKEN not in config.auth_token_encrypted
    assert config.verification_ok is True and config.verified_at is not None
    service = Service.objects.get(name="Customer care")
    assert service.twilio_number == SERVICE_NUMBER and service.whatsapp_ready
    profile = AgentProfile.objects.get(user__username="alex")
    assert profile.chat_enabled and profile.whatsapp_enabled and profile.max_interactions == 4
    assert list(profile.services.all()) == [service]
    assert not profile.user.is_staff
    widget.refresh_from_db()
    assert widget.in_use and widget.whatsapp_service == service


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_top_bar_is_one_line_at_1366_and_a_menu_on_a_phone(
    browser, live_server, admin_user, language
):
    """Every group of the console in one line on a laptop; on a phone one Menu, no sideways scroll."""
    base = live_server.url
    wide = browser.new_context(viewport={"width": 1366, "height": 850}, locale=language)
    narrow = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=language, is_mobile=True, has_touch=True
    )
    try:
        for context in (wide, narrow):
            context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        page = wide.new_page()
        log_in(page, base)
        page.goto(f"{base}/desk/supervisor/")
        links = page.locator("#mainnav > a, #mainnav > details > summary")
        assert links.count() == 7  # Home, Desk, Supervisor, Services, Users, Widget, Settings
        tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(7))}
        assert len(tops) == 1, tops
        # ...and nothing overlaps the language and the user on the right, nothing scrolls sideways.
        last = links.nth(6).bounding_box()
        assert last["x"] + last["width"] <= page.locator(".topbar-right").bounding_box()["x"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        assert page.locator("#nav-supervisor").evaluate("d => d.classList.contains('current')")
        # Without its live data (this test server has no WebSockets) the live view claims no empty table.
        assert page.locator("#conn").get_attribute("data-state") != "connected"
        assert page.locator(".table-empty:visible").count() == 0
        # A group opens as a menu, and Escape closes it.
        page.click("#nav-settings > summary")
        assert page.locator("#nav-settings .navmenu-body a").first.is_visible()
        page.keyboard.press("Escape")
        assert not page.locator("#nav-settings .navmenu-body a").first.is_visible()

        phone = narrow.new_page()
        log_in(phone, base)
        assert not phone.locator("#nav-services").is_visible()
        phone.click("#nav-toggle")
        assert phone.locator("#nav-toggle").get_attribute("aria-expanded") == "true"
        phone.click("#nav-settings > summary")
        phone.locator("#nav-settings .navmenu-body a").last.scroll_into_view_if_needed()
        assert phone.locator("#nav-services").is_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.click("#nav-users")
        phone.wait_for_url("**/users/")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        wide.close()
        narrow.close()
