"""The built-in sandbox: the fake Twilio served by the application, and the phone simulator.

A live server runs the application; the real twilio client, the fake's
status callbacks and the simulator's webhooks all travel over HTTP, as
they do with `scripts/run.sh`.
"""

from __future__ import annotations

import base64
import time

import pytest
from django.core.management import call_command

from agents.models import AgentProfile, Presence
from interactions.actions import outbound
from interactions.models import Interaction, Message
from occ.management.commands.seed_demo import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_SERVICE_NUMBER
from whatsapp import gateway
from whatsapp.sandbox import state

CUSTOMER = "+393331112233"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def eventually(check, timeout=10.0):
    """Poll until check() is truthy (callbacks arrive asynchronously); the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


@pytest.fixture
def sandbox(settings, live_server):
    state.reset()
    settings.OCC_SANDBOX = True
    settings.OCC_PUBLIC_BASE_URL = live_server.url
    settings.TWILIO_API_BASE_URL = live_server.url + "/sandbox/twilio"
    settings.TWILIO_MESSAGING_BASE_URL = live_server.url + "/sandbox/twilio"
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    AgentProfile.objects.update(presence=Presence.ONLINE)
    yield live_server
    state.reset()


@pytest.mark.django_db
def test_everything_is_404_when_the_sandbox_is_off(admin_client, settings):
    settings.OCC_SANDBOX = False
    assert admin_client.get("/sandbox/phone/").status_code == 404
    assert (
        admin_client.get(f"/sandbox/twilio/2010-04-01/Accounts/{DEMO_ACCOUNT_SID}.json").status_code
        == 404
    )
    assert admin_client.post("/sandbox/phone/send/", {"body": "x"}).status_code == 404


def test_production_settings_never_enable_it(monkeypatch):
    import importlib
    import sys

    # Production settings refuse to load without a real SECRET_KEY.
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-key-" + "x" * 30)
    monkeypatch.setenv("OCC_SANDBOX", "1")
    production = (
        importlib.reload(sys.modules["occ.production"])
        if "occ.production" in sys.modules
        else importlib.import_module("occ.production")
    )

    assert production.OCC_SANDBOX is False


@pytest.mark.django_db(transaction=True)
class TestFakeTwilioInProcess:
    def test_the_real_twilio_client_verifies_the_demo_account(self, sandbox):
        check = gateway.verify_account(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
        assert check.ok, check.message
        assert not gateway.verify_account(DEMO_ACCOUNT_SID, "wrong-token").ok

    def test_a_reply_is_sent_and_its_statuses_come_back_signed(self, sandbox, client):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username="admin"))
        assert (
            client.post(
                "/sandbox/phone/send/",
                {
                    "service": DEMO_SERVICE_NUMBER,
                    "customer": CUSTOMER,
                    "name": "Maria",
                    "body": "Hi",
                },
            ).status_code
            == 201
        )
        interaction = Interaction.objects.get()
        assert interaction.state == "assigned"
        agent = AgentProfile.objects.get(user__username="agent")
        message = outbound.send_reply(interaction.pk, sender=agent.user, body="Hello Maria")
        assert message.provider_id
        # The fake posts sent, delivered, read to the StatusCallback; the status view checks each signature.
        assert eventually(lambda: Message.objects.get(pk=message.pk).status == "read")
        thread = client.get(
            "/sandbox/phone/messages/", {"service": DEMO_SERVICE_NUMBER, "customer": CUSTOMER}
        ).json()
        assert [(m["direction"], m["body"]) for m in thread["messages"]] == [
            ("from_customer", "Hi"),
            ("to_customer", "Hello Maria"),
        ]
        assert thread["messages"][1]["status"] == "read"


@pytest.mark.django_db(transaction=True)
class TestPhoneSimulator:
    def login(self, client):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username="admin"))

    def test_the_page_offers_the_service_numbers(self, sandbox, client):
        self.login(client)
        response = client.get("/sandbox/phone/")
        assert response.status_code == 200
        assert DEMO_SERVICE_NUMBER.encode() in response.content

    def test_a_customer_message_arrives_as_a_signed_webhook(self, sandbox, client):
        self.login(client)
        response = client.post(
            "/sandbox/phone/send/",
            {
                "service": DEMO_SERVICE_NUMBER,
                "customer": "+39 333 111 2233",
                "name": "Maria",
                "body": "Hello",
            },
        )
        assert response.status_code == 201
        assert response.json()["status"] == "delivered"
        message = Message.objects.get()
        assert message.body == "Hello"
        assert message.provider_id == response.json()["sid"]
        assert message.interaction.contact.address == CUSTOMER
        assert message.interaction.contact.name == "Maria"
        assert message.payload["WaId"] == CUSTOMER[1:]

    def test_a_wrong_token_is_refused_like_a_forged_webhook(self, sandbox, client):
        self.login(client)
        state.fake().accounts[DEMO_ACCOUNT_SID].auth_token = "not-the-configured-token"
        from whatsapp.sandbox import phone

        sid, _token = DEMO_ACCOUNT_SID, "not-the-configured-token"
        params = phone.inbound_params(
            account_sid=sid,
            service_number=DEMO_SERVICE_NUMBER,
            customer_number=CUSTOMER,
            name="X",
            body="forged",
        )
        assert (
            phone.post_signed(
                sandbox.url + "/whatsapp/twilio/inbound", params, "not-the-configured-token"
            )
            == 403
        )
        assert not Message.objects.exists()

    def test_an_image_is_shown_to_the_agent_through_the_application(self, sandbox, client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.login(client)
        response = client.post(
            "/sandbox/phone/send/",
            {
                "service": DEMO_SERVICE_NUMBER,
                "customer": CUSTOMER,
                "name": "Maria",
                "body": "",
                "image": SimpleUploadedFile("p.png", PNG, content_type="image/png"),
            },
        )
        assert response.status_code == 201
        message = Message.objects.get()
        assert message.attachments[0]["url"].startswith(
            sandbox.url + "/sandbox/twilio/2010-04-01/Accounts/"
        )
        media = client.get(f"/desk/media/{message.pk}/0/")
        assert media.status_code == 200
        assert media.content == PNG

    def test_bad_numbers_get_a_clear_error(self, sandbox, client):
        self.login(client)
        response = client.post(
            "/sandbox/phone/send/", {"service": DEMO_SERVICE_NUMBER, "customer": "12", "body": "x"}
        )
        assert response.status_code == 400
        assert "international format" in response.json()["error"]


@pytest.mark.django_db(transaction=True)
class TestSandboxHealth:
    """The sandbox's Twilio is set up as the console tells an administrator to set up theirs."""

    def test_the_demo_service_passes_every_check(self, sandbox):
        from services.models import Service
        from whatsapp.health import check_service

        report = check_service(Service.objects.get(name="Customer care"))
        assert {c.key: c.state for c in report.checks} == {
            "configuration": "ok",
            "sender": "ok",
            "inbound_url": "ok",
            "status_url": "ok",
            "self_test": "ok",
        }, [(c.key, c.detail) for c in report.checks]
        assert report.ok

    def test_the_health_page_shows_no_problem(self, sandbox, client):
        from django.contrib.auth import get_user_model

        from services.models import Service

        client.force_login(get_user_model().objects.get(username="admin"))
        service = Service.objects.get(name="Customer care")
        page = client.get(f"/whatsapp/health/{service.pk}/").content.decode()
        assert "Problem" not in page and "Something needs fixing" not in page


MG = "MG" + "0a1b2c3d" * 4


@pytest.mark.django_db(transaction=True)
class TestSandboxMessagingService:
    """A service given a Messaging Service SID in the sandbox: its pool is the sandbox's."""

    @pytest.fixture
    def sales(self, sandbox):
        from services.models import Service

        service = Service.objects.create(
            name="Sales", chat_enabled=True, whatsapp_enabled=True, messaging_service_sid=MG
        )
        AgentProfile.objects.get(user__username="agent").services.add(service)
        return service

    def test_the_phone_writes_through_it_and_the_reply_comes_back_through_it(self, sales, client):
        from django.contrib.auth import get_user_model

        client.force_login(get_user_model().objects.get(username="admin"))
        number = state.pool_number(MG)
        assert number.encode() in client.get("/sandbox/phone/").content
        sent = client.post(
            "/sandbox/phone/send/",
            {"service": number, "customer": CUSTOMER, "name": "Maria", "body": "Ciao"},
        )
        assert sent.status_code == 201 and sent.json()["status"] == "delivered"
        interaction = Interaction.objects.get()
        assert interaction.service == sales
        assert Message.objects.get().payload["MessagingServiceSid"] == MG
        agent = AgentProfile.objects.get(user__username="agent")
        reply = outbound.send_reply(interaction.pk, sender=agent.user, body="Buongiorno")
        [twilio_message] = [
            m for m in state.fake().sent_messages() if m["sid"] == reply.provider_id
        ]
        assert twilio_message["messaging_service_sid"] == MG
        assert eventually(lambda: Message.objects.get(pk=reply.pk).status == "read")
        thread = client.get(
            "/sandbox/phone/messages/", {"service": number, "customer": CUSTOMER}
        ).json()["messages"]
        assert [(m["direction"], m["body"]) for m in thread] == [
            ("from_customer", "Ciao"),
            ("to_customer", "Buongiorno"),
        ]

    def test_its_health_check_passes(self, sales):
        from whatsapp.health import check_service

        state.sync_with_configuration()
        report = check_service(sales)
        assert report.ok and report.get("messaging_service").state == "ok", [
            (c.key, c.state, c.detail) for c in report.checks
        ]
