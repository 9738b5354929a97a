"""The login page renders in a real browser and a wrong password is refused."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_refuses_a_wrong_password(page, live_server, admin_user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert (
        page.locator(".errorlist, ul.errorlist, .nonfield").count() > 0
        or "correct" in page.content()
    )


def test_administrator_lands_on_the_console(page, live_server, admin_user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "admin-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/")
    assert "Home" in page.inner_text("h1")
    assert page.locator("#setup-checklist").is_visible()
