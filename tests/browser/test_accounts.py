"""Invitations, two-factor enrolment and sign-in, and required two-factor, in a real browser.

The e-mails go to the sandbox's outbox (accounts.outbox.OutboxBackend), which
the test reads like a first-time user would: Sandbox → Outbox, then the link.
The authenticator app is played by the test: it reads the QR code from a
screenshot (zxing) and computes the codes (django_otp.oath).
"""

from __future__ import annotations

import io
import os
import re
import time
from base64 import b32decode
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "carla-chooses-this-1"
VIEWPORTS = {"desktop": {"width": 1366, "height": 850}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(autouse=True)
def _sandbox_outbox(settings):
    settings.EMAIL_BACKEND = "accounts.outbox.OutboxBackend"
    settings.OCC_SANDBOX = True


def app_code(secret_b32: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for this secret."""
    from django_otp.oath import TOTP

    secret = secret_b32.replace(" ", "").upper()
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key)
    totp.time = time.time() + steps_ahead * 30
    return f"{totp.token():06d}"


def scan_qr(locator) -> str:
    import zxingcpp
    from PIL import Image

    return zxingcpp.read_barcodes(Image.open(io.BytesIO(locator.screenshot())))[0].text


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def enrol(page) -> str:
    """On the Security page: scan the QR code, type the app's code; the secret is returned."""
    uri = scan_qr(page.locator("svg.qr"))
    assert uri.startswith("otpauth://totp/OCC")
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    assert page.inner_text("#totp-secret").replace(" ", "") == secret.rstrip("=")
    page.fill("#enrol-form input[name=code]", app_code(secret))
    page.click("#enrol-form button[type=submit]")
    page.wait_for_url("**/account/security/recovery-codes/")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#codes-saved")
    page.wait_for_url("**/account/security/")
    return secret


def test_an_invited_user_sets_a_password_enrols_and_signs_in_with_a_code(
    browser, live_server, admin_user
):
    base = live_server.url
    admin = browser.new_page()
    log_in(admin, base, "ada", "admin-pass-123")
    admin.wait_for_url("**/console/")
    admin.get_by_role("link", name="Users", exact=True).click()
    admin.click("#invite-user")
    admin.get_by_label("Username").fill("carla")
    admin.get_by_label("First name").fill("Carla")
    admin.get_by_label("E-mail").fill("carla@example.com")
    admin.get_by_role("button", name="Send invitation").click()
    admin.wait_for_selector(".flash li")
    assert "Invitation sent to carla@example.com" in admin.inner_text(".flash")
    # Sandbox → Outbox: the e-mail and its link.
    admin.click("#sandbox-outbox")
    email = admin.locator(".outbox-email").first
    assert (
        "You are invited to OCC" in email.inner_text() and "carla@example.com" in email.inner_text()
    )
    link = email.locator("a").first.get_attribute("href")
    assert "/accounts/invitation/" in link
    admin.close()

    carla = browser.new_page()
    carla.goto(link)
    carla.fill("#id_new_password1", PASSWORD)
    carla.fill("#id_new_password2", PASSWORD)
    carla.click("#invitation-form button[type=submit]")
    carla.wait_for_url("**/account/security/")
    assert "Welcome! Your password is set." in carla.inner_text(".flash")
    secret = enrol(carla)
    assert "recovery codes left" in carla.inner_text("#two-factor")
    carla.get_by_role("button", name="Log out").click()

    # Signing in: the password, then the app's next code.
    log_in(carla, base, "carla", PASSWORD)
    carla.wait_for_url("**/accounts/login/code/")
    carla.fill("#id_code", "000000")
    carla.click("#login-code-form button[type=submit]")
    assert "not valid" in carla.inner_text("#login-code-form")
    carla.fill("#id_code", app_code(secret, steps_ahead=1))
    carla.click("#login-code-form button[type=submit]")
    carla.wait_for_url(re.compile(r".*/desk/$"))
    assert carla.inner_text(".whoami") == "carla"
    # The link of the invitation no longer works.
    carla.goto(link)
    assert "no longer works" in carla.inner_text("h1")
    carla.close()


def test_a_staff_user_without_two_factor_is_made_to_enrol_when_it_is_required(
    page, live_server, admin_user
):
    base = live_server.url
    log_in(page, base, "ada", "admin-pass-123")
    page.wait_for_url("**/console/")
    page.click("#nav-settings > summary")  # Settings is a menu of the top bar
    page.get_by_role("link", name="Security", exact=True).click()
    page.get_by_label("Administrators").check()
    page.get_by_role("button", name="Save").click()
    # The very next page is the enrolment, and so is every other page until enrolled.
    page.wait_for_url("**/account/security/")
    assert page.locator("#two-factor-required").is_visible()
    page.goto(f"{base}/users/")
    assert page.url.endswith("/account/security/")
    enrol(page)
    page.goto(f"{base}/users/")
    assert page.url.endswith("/users/")
    # The audit log names the change.
    page.goto(f"{base}/settings/audit/")
    assert "Administrators" in page.inner_text("table.audit-log") or "staff" in page.inner_text(
        "table.audit-log"
    )


# --- Screenshots of every new page, desktop and phone, English and Italian ---------


def _shots_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("OCC_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.mktemp("accounts-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _fits(page, width: int) -> bool:
    # Against the screen's width: a phone's layout viewport widens to what overflows it.
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("language", ["en", "it"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_accounts_page_fits_the_screen(
    browser, live_server, admin_user, tmp_path_factory, language, size
):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from accounts import actions
    from accounts.models import OutboxEmail

    base = live_server.url
    shots = _shots_dir(tmp_path_factory)
    carla = actions.invite(
        username="carla",
        first_name="Carla",
        last_name="Rossi",
        email="carla@example.com",
        is_staff=False,
        invited_by=admin_user,
        root=base,
    )
    admin_user.email = "ada@example.com"
    admin_user.save()
    uid = urlsafe_base64_encode(force_bytes(carla.pk))
    invitation_url = (
        f"{base}/accounts/invitation/{uid}/{default_token_generator.make_token(carla)}/"
    )
    admin_uid = urlsafe_base64_encode(force_bytes(admin_user.pk))
    reset_url = (
        f"{base}/accounts/reset/{admin_uid}/{default_token_generator.make_token(admin_user)}/"
    )
    assert OutboxEmail.objects.exists()

    locale = "it-IT" if language == "it" else "en-US"
    mobile = {"is_mobile": True, "has_touch": True} if size == "phone" else {}
    context = browser.new_context(locale=locale, viewport=VIEWPORTS[size], **mobile)
    page = context.new_page()
    page.set_default_timeout(10_000)
    misfits = []

    def shot(name):
        page.wait_for_load_state()
        assert page.evaluate("document.documentElement.lang") == language, name
        if not _fits(page, VIEWPORTS[size]["width"]):
            misfits.append(name)
        page.screenshot(path=str(shots / f"{name}-{size}-{language}.png"), full_page=True)

    page.goto(f"{base}/accounts/login/")
    shot("login")
    page.click("#forgot-password")
    shot("password-reset")
    page.fill("#id_email", "nobody@example.com")
    page.click("#password-reset-form button[type=submit]")
    shot("password-reset-done")
    page.goto(reset_url)
    shot("password-reset-confirm")
    page.goto(invitation_url)
    shot("invitation")

    log_in(page, base, "ada", "admin-pass-123")
    page.goto(f"{base}/account/security/")
    shot("security-enrol")
    secret = enrol(page)
    page.goto(f"{base}/account/security/")
    shot("security-on")
    page.fill("#regenerate-form input[name=code]", app_code(secret, steps_ahead=1))
    page.click("#regenerate-form button[type=submit]")
    page.wait_for_url("**/recovery-codes/")
    shot("recovery-codes")
    page.goto(f"{base}/settings/security/")
    shot("security-settings")
    page.goto(f"{base}/sandbox/outbox/")
    shot("outbox")
    page.goto(f"{base}/users/")
    shot("users")
    page.goto(f"{base}/users/invite/")
    shot("user-invite")
    page.goto(f"{base}/users/{carla.pk}/")
    shot("user-edit")
    page.goto(f"{base}/users/{admin_user.pk}/")
    shot("user-edit-two-factor")
    page.click("form[action$='/logout/'] button")
    log_in(page, base, "ada", "admin-pass-123")
    page.wait_for_url("**/accounts/login/code/")
    shot("login-code")
    context.close()
    assert misfits == [], f"wider than the screen: {misfits}"
