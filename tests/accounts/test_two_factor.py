"""Two-factor sign-in: enrolment, the code after the password, recovery codes, turning it off, lockouts."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from audit.models import AuditEntry
from tests.accounts.conftest import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "agent-pass-123"
IP = "203.0.113.5"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()


@pytest.fixture
def user(django_user_model):
    return django_user_model.objects.create_user("alex", password=PASSWORD)


def password_step(client, username="alex", password=PASSWORD, ip=IP, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=ip)


def code_step(client, code, ip=IP):
    return client.post(reverse("accounts:login_code"), {"code": code}, REMOTE_ADDR=ip)


class TestEnrolment:
    def test_the_security_page_shows_a_qr_code_and_the_secret_as_text(self, client, user):
        client.force_login(user)
        page = client.get(reverse("accounts:security")).content.decode()
        device = TOTPDevice.objects.get(user=user, confirmed=False)
        assert '<svg class="qr"' in page and "<script" not in page.split("</header>")[1]
        assert (
            two_factor.normalise(page.split('id="totp-secret">')[1].split("<")[0]).upper()
            in device.config_url
        )
        # The page keeps the same secret until it is confirmed.
        client.get(reverse("accounts:security"))
        assert TOTPDevice.objects.filter(user=user).count() == 1

    def test_the_qr_code_holds_the_otpauth_uri(self, user):
        import io

        import qrcode
        import zxingcpp
        from PIL import Image

        from accounts import actions

        device = actions.enrolment_device(user)
        image = qrcode.make(device.config_url)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        # The same payload the page renders as SVG (accounts.qr.svg).
        assert (
            zxingcpp.read_barcodes(Image.open(io.BytesIO(buffer.getvalue())))[0].text
            == device.config_url
        )
        assert device.config_url.startswith("otpauth://totp/OCC%3Aalex?secret=")

    def test_a_right_code_turns_it_on_and_shows_the_recovery_codes_once(self, client, user):
        client.force_login(user)
        client.get(reverse("accounts:security"))
        device = TOTPDevice.objects.get(user=user)
        response = client.post(reverse("accounts:security"), {"code": totp_code(device)})
        assert response.status_code == 302 and response["Location"] == reverse(
            "accounts:recovery_codes"
        )
        assert two_factor.has_two_factor(user)
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        page = client.get(reverse("accounts:recovery_codes")).content.decode()
        codes = client.session["occ_recovery_codes"]
        assert len(codes) == 10 and all(code in page for code in codes)
        download = client.get(reverse("accounts:recovery_codes_download"))
        assert download["Content-Disposition"].startswith("attachment;")
        assert all(code in download.content.decode() for code in codes)
        client.post(reverse("accounts:recovery_codes_saved"))
        assert client.get(reverse("accounts:recovery_codes"))["Location"] == reverse(
            "accounts:security"
        )
        assert client.get(reverse("accounts:recovery_codes_download"))["Location"] == reverse(
            "accounts:security"
        )
        assert AuditEntry.objects.filter(
            object_id=str(user.pk), changes__two_factor__event="enabled"
        ).exists()

    def test_a_wrong_code_leaves_it_off_with_a_field_error(self, client, user):
        client.force_login(user)
        client.get(reverse("accounts:security"))
        response = client.post(reverse("accounts:security"), {"code": "000000"}, REMOTE_ADDR=IP)
        assert response.status_code == 200 and response.context["form"].errors["code"]
        assert not two_factor.has_two_factor(user)


class TestSignIn:
    def test_the_password_alone_does_not_sign_in_a_user_with_two_factor(
        self, client, user, enrolled
    ):
        enrolled(user)
        response = password_step(client)
        assert response["Location"] == reverse("accounts:login_code")
        assert "_auth_user_id" not in client.session
        assert client.get(reverse("agents:desk"))["Location"].startswith(reverse("login"))

    def test_the_code_signs_in_and_marks_the_session_verified(self, client, user, enrolled):
        device, _codes = enrolled(user)
        password_step(client, next_url="/desk/")
        response = code_step(client, totp_code(device))
        assert response.status_code == 302 and response["Location"] == "/desk/"
        assert client.session["_auth_user_id"] == str(user.pk)
        assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
        assert client.get(reverse("accounts:security")).status_code == 200

    def test_a_code_is_accepted_only_once(self, client, user, enrolled):
        device, _codes = enrolled(user)
        code = totp_code(device)
        password_step(client)
        assert code_step(client, code).status_code == 302
        client.logout()
        password_step(client)
        assert code_step(client, code).status_code == 200  # the same code again: refused

    def test_a_recovery_code_signs_in_once(self, client, user, enrolled):
        _device, codes = enrolled(user)
        password_step(client)
        assert code_step(client, codes[0].upper()).status_code == 302
        assert two_factor.recovery_codes_left(user) == 9
        client.logout()
        password_step(client)
        response = code_step(client, codes[0])
        assert response.status_code == 200 and response.context["form"].errors["code"]
        assert "_auth_user_id" not in client.session

    def test_a_user_without_two_factor_signs_in_with_the_password(self, client, user):
        assert password_step(client)["Location"] == reverse("home")
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_the_code_step_expires(self, client, user, enrolled, settings):
        device, _codes = enrolled(user)
        password_step(client)
        settings.OCC_LOGIN_CODE_SECONDS = 0
        time.sleep(0.01)
        response = code_step(client, totp_code(device))
        assert response["Location"] == reverse("login") and "_auth_user_id" not in client.session

    def test_the_code_step_without_a_password_goes_back_to_log_in(self, client):
        assert client.get(reverse("accounts:login_code"))["Location"] == reverse("login")

    def test_wrong_codes_lock_out_that_username_from_that_address_only(
        self, client, user, enrolled, settings
    ):
        from django.test import Client

        settings.OCC_LOGIN_MAX_FAILURES = 3
        device, _codes = enrolled(user)
        password_step(client)
        for _ in range(3):
            assert code_step(client, "123456").status_code == 200
        # Now even the right code, or the password again, is refused from this address.
        response = code_step(client, totp_code(device))
        assert response["Location"] == reverse("login") and "_auth_user_id" not in client.session
        assert "Too many failed" in password_step(client).content.decode()
        # The owner elsewhere signs in.
        elsewhere = Client()
        assert password_step(elsewhere, ip="198.51.100.7")["Location"] == reverse(
            "accounts:login_code"
        )
        assert (
            code_step(elsewhere, totp_code(device, steps_ahead=1), ip="198.51.100.7").status_code
            == 302
        )

    def test_a_password_step_does_not_clear_the_count_of_wrong_codes(
        self, client, user, enrolled, settings
    ):
        settings.OCC_LOGIN_MAX_FAILURES = 3
        enrolled(user)
        for _ in range(3):
            password_step(client)
            code_step(client, "123456")
        assert "Too many failed" in password_step(client).content.decode()

    def test_a_session_signed_in_without_the_code_is_signed_out(self, client, user, enrolled):
        enrolled(user)
        client.force_login(user)  # e.g. any log-in that skipped the code step
        response = client.get(reverse("agents:desk"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session


class TestManaging:
    def verified(self, client, user, enrolled):
        device, codes = enrolled(user)
        password_step(client)
        code_step(client, totp_code(device))
        return device, codes

    def test_new_recovery_codes_need_a_code_and_replace_the_old_ones(self, client, user, enrolled):
        device, codes = self.verified(client, user, enrolled)
        client.post(reverse("accounts:recovery_codes"), {"code": "nope"})
        assert two_factor.verify_code(user, codes[1]) is not None  # unchanged (and now used)
        response = client.post(
            reverse("accounts:recovery_codes"), {"code": totp_code(device, steps_ahead=1)}
        )
        assert response["Location"] == reverse("accounts:recovery_codes")
        fresh = client.session["occ_recovery_codes"]
        assert (
            two_factor.verify_code(user, codes[2]) is None
            and two_factor.verify_code(user, fresh[0]) is not None
        )

    def test_turning_it_off_needs_a_code(self, client, user, enrolled):
        device, _codes = self.verified(client, user, enrolled)
        client.post(reverse("accounts:two_factor_disable"), {"code": "999999"})
        assert two_factor.has_two_factor(user)
        client.post(
            reverse("accounts:two_factor_disable"), {"code": totp_code(device, steps_ahead=1)}
        )
        assert not two_factor.has_two_factor(user)
        assert AuditEntry.objects.filter(
            object_id=str(user.pk), changes__two_factor__event="disabled"
        ).exists()

    def test_it_cannot_be_turned_off_when_required(self, client, user, enrolled):
        from accounts.models import SecuritySettings

        device, _codes = self.verified(client, user, enrolled)
        SecuritySettings.objects.create(pk=1, two_factor_required="everyone")
        client.post(
            reverse("accounts:two_factor_disable"), {"code": totp_code(device, steps_ahead=1)}
        )
        assert two_factor.has_two_factor(user)


class TestAdministratorReset:
    def test_an_administrator_resets_a_users_two_factor_and_it_is_audited(
        self, admin_client, user, enrolled
    ):
        enrolled(user)
        response = admin_client.post(reverse("agents:user_reset_two_factor", args=[user.pk]))
        assert response.status_code == 302
        assert not two_factor.has_two_factor(user) and two_factor.recovery_codes_left(user) == 0
        entry = AuditEntry.objects.get(object_id=str(user.pk), changes__two_factor__event="reset")
        assert entry.actor_name == "ada"
        assert (
            "reset by an administrator" in admin_client.get(reverse("audit:log")).content.decode()
        )

    def test_the_user_then_signs_in_with_the_password_alone(
        self, client, admin_client, user, enrolled
    ):
        enrolled(user)
        admin_client.post(reverse("agents:user_reset_two_factor", args=[user.pk]))
        assert password_step(client)["Location"] == reverse("home")

    def test_an_agent_cannot_reset_anyones_two_factor(
        self, client, user, enrolled, django_user_model
    ):
        victim = django_user_model.objects.create_user("vic", password=PASSWORD)
        enrolled(victim)
        client.force_login(user)
        assert (
            client.post(reverse("agents:user_reset_two_factor", args=[victim.pk])).status_code
            == 403
        )
        assert two_factor.has_two_factor(victim)
