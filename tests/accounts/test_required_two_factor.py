"""Settings → Security: two-factor required of administrators or everyone, enforced on pages, API sessions and the desk's socket."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.models import SecuritySettings, TwoFactorRequirement
from audit.models import AuditEntry
from tests.desk.helpers import run

pytestmark = pytest.mark.django_db


def require(who: str) -> None:
    SecuritySettings.objects.update_or_create(pk=1, defaults={"two_factor_required": who})


def signed_in(user, device=None) -> Client:
    client = Client()
    client.force_login(user)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


class TestSetting:
    def test_an_administrator_sets_it_and_the_change_is_audited(self, admin_client):
        response = admin_client.post(
            reverse("accounts:security_settings"), {"two_factor_required": "staff"}
        )
        assert response.status_code == 302
        assert SecuritySettings.load().two_factor_required == "staff"
        entry = AuditEntry.objects.get(object_type="accounts.SecuritySettings")
        assert entry.changes == {"two_factor_required": {"from": "nobody", "to": "staff"}}
        assert entry.actor_name == "ada"

    def test_a_wrong_value_is_a_field_error(self, admin_client):
        response = admin_client.post(
            reverse("accounts:security_settings"), {"two_factor_required": "martians"}
        )
        assert (
            response.status_code == 200 and response.context["form"].errors["two_factor_required"]
        )
        assert SecuritySettings.load().two_factor_required == "nobody"

    def test_agents_cannot_change_it(self, agent):
        client = signed_in(agent.user)
        assert (
            client.post(
                reverse("accounts:security_settings"), {"two_factor_required": "nobody"}
            ).status_code
            == 403
        )


class TestPages:
    def test_a_staff_user_without_two_factor_is_sent_to_enrolment_from_any_page(self, admin_user):
        require(TwoFactorRequirement.STAFF)
        client = signed_in(admin_user)
        for url in (
            reverse("agents:user_list"),
            reverse("agents:desk"),
            reverse("home"),
            "/admin/",
        ):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == reverse(
                "accounts:security"
            ), url
        assert client.get(reverse("accounts:security")).status_code == 200
        assert client.post(reverse("set_language"), {"language": "it"}).status_code == 302
        assert client.post(reverse("logout")).status_code == 302

    def test_an_api_call_with_that_session_is_refused_but_tokens_are_unaffected(self, admin_user):
        from api.tokens import create_token

        require(TwoFactorRequirement.EVERYONE)
        client = signed_in(admin_user)
        assert client.get("/api/v1/services/").status_code == 403
        key = create_token(admin_user)
        response = Client().get("/api/v1/services/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200

    def test_agents_are_free_when_only_staff_must_have_it(self, agent):
        require(TwoFactorRequirement.STAFF)
        assert signed_in(agent.user).get(reverse("agents:desk")).status_code == 200

    def test_everyone_means_agents_too(self, agent):
        require(TwoFactorRequirement.EVERYONE)
        assert signed_in(agent.user).get(reverse("agents:desk"))["Location"] == reverse(
            "accounts:security"
        )

    def test_an_enrolled_verified_user_works_normally(self, admin_user, enrolled):
        require(TwoFactorRequirement.EVERYONE)
        device, _codes = enrolled(admin_user)
        assert signed_in(admin_user, device).get(reverse("agents:user_list")).status_code == 200

    def test_after_an_administrator_reset_the_user_must_enrol_again(
        self, admin_user, agent, enrolled
    ):
        require(TwoFactorRequirement.EVERYONE)
        device, _codes = enrolled(agent.user)
        client = signed_in(agent.user, device)
        assert client.get(reverse("agents:desk")).status_code == 200
        from accounts import actions

        actions.reset_by_administrator(agent.user, by=admin_user)
        assert client.get(reverse("agents:desk"))["Location"] == reverse("accounts:security")


def connect(user, device=None):
    client = signed_in(user, device)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"

    async def scenario():
        from occ.asgi import application

        headers = [
            (b"origin", b"http://testserver"),
            (b"host", b"testserver"),
            (b"cookie", cookie.encode()),
        ]
        communicator = WebsocketCommunicator(application, "/ws/desk/", headers=headers)
        connected, code = await communicator.connect(timeout=3)
        if connected:
            await communicator.disconnect()
        return connected, code

    return run(scenario)


@pytest.mark.django_db(transaction=True)
class TestDeskSocket:
    def test_the_desk_refuses_an_unverified_session_of_a_user_who_must_have_it(self, agent):
        require(TwoFactorRequirement.EVERYONE)
        assert connect(agent.user) == (False, 4403)

    def test_the_desk_accepts_a_verified_session(self, agent, enrolled):
        require(TwoFactorRequirement.EVERYONE)
        device, _codes = enrolled(agent.user)
        assert connect(agent.user, device)[0] is True

    def test_the_desk_refuses_a_session_that_skipped_the_code_of_an_enrolled_user(
        self, agent, enrolled
    ):
        enrolled(agent.user)
        assert connect(agent.user) == (False, 4403)

    def test_the_desk_accepts_users_who_need_no_code(self, agent):
        assert connect(agent.user)[0] is True
