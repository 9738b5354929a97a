"""A service on a Twilio Messaging Service (MG…) instead of one number.

Inbound webhooks are matched by `MessagingServiceSid` first, then by the
number; everything the service sends (agents' replies, automatic messages)
goes out with `MessagingServiceSid` and no `From`, Twilio choosing the
sender of the pool. The real twilio client reaches the fake Twilio over
real HTTP; the health check also posts its signed test webhook to a live
server.
"""

from __future__ import annotations

import json

import pytest

from interactions.actions import outbound
from interactions.models import Interaction, Message
from services.forms import ServiceForm
from services.models import Service
from tests.api.conftest import token_client
from tests.conftest import ACCOUNT_SID, FIXTURES, SERVICE_NUMBER, load_payload
from tests.whatsapp.conftest import INBOUND
from whatsapp import webhook_cache
from whatsapp.health import check_service
from whatsapp.parsing import parse_inbound

MG = "MG" + "5a1e5" * 6 + "ab"
POOL_NUMBER = "+390287654321"

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(fake_twilio, chat_settings):
    """The Messaging Service at Twilio, its pool holding one WhatsApp sender."""
    return fake_twilio.add_messaging_service(ACCOUNT_SID, "Sales", numbers=[POOL_NUMBER], sid=MG)


@pytest.fixture
def sales(chat_settings):
    """A service on the Messaging Service only (no number of its own)."""
    return Service.objects.create(
        name="Sales", chat_enabled=True, whatsapp_enabled=True, messaging_service_sid=MG
    )


def through_pool(**overrides) -> dict:
    """A customer's message to the pool's number, as Twilio posts it for a Messaging Service."""
    return load_payload(
        "inbound_text", To=f"whatsapp:{POOL_NUMBER}", MessagingServiceSid=MG, **overrides
    )


def created_messages(fake_twilio) -> list[dict]:
    return [
        r["params"]
        for r in fake_twilio.requests
        if r["method"] == "POST" and r["path"].endswith("/Messages.json")
    ]


def test_a_messaging_service_service_receives_routes_and_replies_through_it(
    signed_post, pool, sales, make_agent, fake_twilio
):
    agent = make_agent("sam", services=[sales])
    assert signed_post(INBOUND, through_pool()).status_code == 200
    interaction = Interaction.objects.get()
    assert (interaction.service, interaction.state, interaction.agent) == (
        sales,
        "assigned",
        agent,
    )

    outbound.send_reply(interaction.pk, sender=agent.user, body="Buongiorno!")
    [params] = created_messages(fake_twilio)
    assert params["MessagingServiceSid"] == MG and "From" not in params
    assert params["To"] == "whatsapp:+393331234567" and params["Body"] == "Buongiorno!"
    reply = Message.objects.get(direction="out")
    # Twilio's first answer through a Messaging Service: accepted, the sender chosen after.
    assert reply.status == "accepted" and reply.provider_id.startswith("SM")
    [sent] = fake_twilio.sent_messages()
    assert sent["messaging_service_sid"] == MG and sent["from"] == f"whatsapp:{POOL_NUMBER}"


def test_automatic_messages_go_through_the_messaging_service(
    signed_post, pool, sales, fake_twilio, run_tasks
):
    sales.no_agent_reply = True
    sales.save()
    assert signed_post(INBOUND, through_pool()).status_code == 200
    run_tasks()
    [params] = created_messages(fake_twilio)
    assert "No agent is available right now" in params["Body"]
    assert params["MessagingServiceSid"] == MG and "From" not in params


def test_the_messaging_service_is_matched_before_the_number(
    signed_post, service, pool, make_agent, fake_twilio
):
    """The pool holds a number another service still lists: the Messaging Service decides."""
    sales = Service.objects.create(
        name="Sales", chat_enabled=True, whatsapp_enabled=True, messaging_service_sid=MG
    )
    make_agent("sam", services=[sales])
    signed_post(INBOUND, load_payload("inbound_text", MessagingServiceSid=MG))
    assert Interaction.objects.get().service == sales
    # Without it, or with a Messaging Service nobody uses, the number decides.
    Interaction.objects.all().delete()
    webhook_cache.forget()
    sid = "SM" + "7" * 32
    signed_post(
        INBOUND,
        load_payload(
            "inbound_text",
            MessageSid=sid,
            SmsSid=sid,
            SmsMessageSid=sid,
            MessagingServiceSid="MG" + "0" * 32,
        ),
    )
    assert Interaction.objects.get().service == service


def test_the_match_costs_one_query_and_is_kept(pool, sales, service, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert webhook_cache.service(SERVICE_NUMBER, MG) == sales
    with django_assert_num_queries(0):
        assert webhook_cache.service(SERVICE_NUMBER, MG) == sales
    with django_assert_num_queries(1):
        assert webhook_cache.service(SERVICE_NUMBER) == service


def test_a_malformed_messaging_service_sid_is_ignored_not_refused():
    parsed = parse_inbound(load_payload("inbound_text", MessagingServiceSid="MG<script>"))
    assert parsed.messaging_service_sid == ""
    assert (
        parse_inbound(load_payload("inbound_text", MessagingServiceSid=MG)).messaging_service_sid
        == MG
    )


def test_the_query_budget_is_that_of_a_number(signed_post, pool, sales, make_agent):
    from tests.whatsapp.test_inbound_webhook import TestLeanPath

    for name in ("a", "b", "c"):
        make_agent(name, services=[sales])
    count = TestLeanPath().count
    assert count(signed_post, through_pool()) <= 17
    assert count(signed_post, through_pool(**_sid("SM" + "8" * 32))) <= 6


def _sid(sid: str) -> dict:
    return {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid}


def test_a_timed_out_send_is_found_among_the_messaging_service_messages(
    signed_post, pool, sales, make_agent, fake_twilio
):
    agent = make_agent("sam", services=[sales])
    signed_post(INBOUND, through_pool())
    interaction = Interaction.objects.get()
    outbound.send_reply(interaction.pk, sender=agent.user, body="Eccomi")
    from whatsapp.transport import TwilioWhatsAppTransport

    # As if Twilio's answer had timed out: the message has no provider id yet.
    accepted = Message.objects.get(direction="out").provider_id
    Message.objects.filter(direction="out").update(provider_id=None)
    reply = Message.objects.get(direction="out")
    found = TwilioWhatsAppTransport().find_accepted(reply)
    assert found is not None and found.provider_id == accepted
    # Another Messaging Service's message with the same text is not taken for it.
    fake_twilio.messages[0]["messaging_service_sid"] = "MG" + "1" * 32
    assert TwilioWhatsAppTransport().find_accepted(reply) is None


class TestConsole:
    def form(self, **data):
        base = {
            "name": "Sales",
            "is_active": True,
            "chat_enabled": True,
            "whatsapp_enabled": True,
            "default_language": "en",
            "offline_conversations": "keep",
            "offline_after_minutes": 15,
        }
        return ServiceForm(data={**base, **data})

    def test_whatsapp_on_a_messaging_service_alone_is_ready(self, chat_settings):
        form = self.form(messaging_service_sid=f"  {MG} ")
        assert form.is_valid(), form.errors
        service = form.save()
        assert service.messaging_service_sid == MG and service.twilio_number is None
        assert service.whatsapp_ready and service.whatsapp_problems() == []
        assert list(Service.objects.whatsapp_ready()) == [service]

    @pytest.mark.parametrize(
        "sid", ["MG123", "mg" + "0" * 32, "MG" + "g" * 32, "AC" + "0" * 32, "MG" + "0" * 33]
    )
    def test_anything_but_mg_and_32_hex_digits_is_refused(self, chat_settings, sid):
        form = self.form(messaging_service_sid=sid)
        assert not form.is_valid()
        assert "MG followed by 32 hexadecimal digits" in str(form.errors["messaging_service_sid"])

    def test_one_messaging_service_belongs_to_one_service(self, sales):
        form = self.form(name="Other", messaging_service_sid=MG)
        assert not form.is_valid()
        assert "Sales" in str(form.errors["messaging_service_sid"])

    def test_neither_number_nor_messaging_service_is_refused(self, chat_settings):
        form = self.form()
        assert not form.is_valid()
        assert "or its Messaging Service" in str(form.errors["twilio_number"])

    def test_the_api_takes_it_with_the_same_rules(self, admin_user, chat_settings):
        api = token_client(admin_user)
        body = {"name": "Sales", "chat_enabled": True, "whatsapp_enabled": True}
        bad = api.post("/api/v1/services/", {**body, "messaging_service_sid": "MG1"}, format="json")
        assert bad.status_code == 400
        assert list(bad.json()["errors"]) == ["messaging_service_sid"]
        made = api.post("/api/v1/services/", {**body, "messaging_service_sid": MG}, format="json")
        assert made.status_code == 201, made.content
        assert made.json()["messaging_service_sid"] == MG and made.json()["whatsapp_ready"]

    def test_the_list_and_the_form_show_it(self, admin_client, sales):
        assert MG in admin_client.get("/services/").content.decode()
        page = admin_client.get(f"/services/{sales.pk}/").content.decode()
        assert 'name="messaging_service_sid"' in page and MG in page


class TestFakeTwilio:
    def test_the_service_is_served_as_twilio_documents_it(self, pool):
        """Same fields, same JSON types as the OpenAPI example of GET /v1/Services/{Sid}."""
        from whatsapp import gateway

        documented = json.loads(
            (FIXTURES / "twilio" / "messaging_v1_service_fetch.json").read_text()
        )
        documented.pop("_source")
        client = gateway.client()
        response = client.request("GET", f"{client.messaging.base_url}/v1/Services/{MG}")
        served = json.loads(response.text)
        assert response.status_code == 200
        assert set(served) == set(documented)
        assert set(served["links"]) == set(documented["links"])
        for key, value in documented.items():
            if value is not None and served[key] is not None:
                assert type(served[key]) is type(value), key
        fetched = client.messaging.v1.services(MG).fetch()
        assert (fetched.sid, fetched.friendly_name) == (MG, "Sales")

    def test_an_unknown_service_is_a_twilio_404(self, pool):
        from twilio.base.exceptions import TwilioRestException

        from whatsapp import gateway

        with pytest.raises(TwilioRestException) as raised:
            gateway.client().messaging.v1.services("MG" + "0" * 32).fetch()
        assert (raised.value.status, raised.value.code) == (404, 20404)

    def test_an_unknown_messaging_service_cannot_send(self, pool):
        from twilio.base.exceptions import TwilioRestException

        from whatsapp import gateway

        with pytest.raises(TwilioRestException) as raised:
            gateway.client().messages.create(
                to="whatsapp:+393331234567", messaging_service_sid="MG" + "0" * 32, body="x"
            )
        assert raised.value.status == 400


live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def public(settings, live_server):
    settings.OCC_PUBLIC_BASE_URL = live_server.url
    return live_server.url


def states(report) -> dict[str, str]:
    return {check.key: check.state for check in report.checks}


@live
def test_the_health_check_covers_the_messaging_service(pool, sales, public, fake_twilio):
    pool.inbound_request_url = public + "/whatsapp/twilio/inbound"
    report = check_service(sales)
    assert states(report) == {
        "configuration": "ok",
        "messaging_service": "ok",
        "inbound_url": "ok",
        "status_url": "ok",
        "self_test": "ok",
    }, [(c.key, c.detail) for c in report.checks]
    assert POOL_NUMBER in report.get("messaging_service").detail
    paths = {r["path"] for r in fake_twilio.requests}
    assert {f"/v1/Services/{MG}", f"/v1/Services/{MG}/ChannelSenders"} <= paths
    assert not Message.objects.exists()


@live
def test_the_health_check_names_what_is_wrong_with_the_messaging_service(
    pool, sales, public, fake_twilio
):
    # The Messaging Service calls another URL.
    pool.inbound_request_url = "https://old.example.com/hook"
    check = check_service(sales).get("inbound_url")
    assert check.state == "error" and "old.example.com" in check.detail
    assert public + "/whatsapp/twilio/inbound" in check.fix
    # Its pool holds no WhatsApp sender.
    pool.senders = []
    assert check_service(sales).get("messaging_service").state == "error"
    # Twilio does not know it.
    del fake_twilio.messaging_services[MG]
    report = check_service(sales)
    assert (
        report.get("messaging_service").state == "error"
        and MG in report.get("messaging_service").detail
    )
    assert not report.ok


@live
def test_a_number_outside_the_pool_is_a_warning(pool, sales, public, fake_twilio):
    pool.inbound_request_url = public + "/whatsapp/twilio/inbound"
    fake_twilio.add_sender(ACCOUNT_SID, "+390211112222")
    sales.twilio_number = "+390211112222"
    sales.save()
    report = check_service(sales)
    assert report.get("messaging_service").state == "warning"
    assert report.get("self_test").state == "ok"  # sent to the pool's number, through the MG


def test_the_messaging_service_speaks_italian(admin_client, pool, sales):
    from django.utils import translation

    from whatsapp.health import check_messaging_service

    page = admin_client.get(f"/services/{sales.pk}/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "SID del servizio di messaggistica Twilio" in page
    assert "Optional, instead of one number" not in page
    listing = admin_client.get("/services/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert f"Servizio di messaggistica {MG}" in listing
    form = TestConsole().form(messaging_service_sid="MG1")
    with translation.override("it"):
        assert not form.is_valid()
        assert "cifre esadecimali" in str(form.errors["messaging_service_sid"])
        from whatsapp import gateway

        check, _found, _senders = check_messaging_service(sales, gateway.client())
        assert check.title == "Servizio di messaggistica su Twilio"
        assert check.detail == f"Il servizio di messaggistica Sales invia da {POOL_NUMBER}."


def test_the_chat_channel_page_links_its_health_check(admin_client, sales):
    page = admin_client.get("/settings/advanced/chat-channel/").content.decode()
    assert f"/whatsapp/health/{sales.pk}/" in page and f"Messaging Service {MG}" in page


def test_a_template_opening_a_conversation_goes_through_it(
    pool, sales, make_agent, fake_twilio, approved_template
):
    from interactions.actions.initiate import start_with_template

    template = approved_template("Hello {{1}}, about your order.")
    agent = make_agent("sam", services=[sales])
    start_with_template(
        service=sales,
        actor=agent.user,
        template_id=template,
        template_variables={"1": "Maria"},
        address="+393331234567",
    )
    [params] = created_messages(fake_twilio)
    assert params["ContentSid"] == template and json.loads(params["ContentVariables"]) == {
        "1": "Maria"
    }
    assert params["MessagingServiceSid"] == MG and "From" not in params


def test_the_satisfaction_survey_goes_through_it(
    signed_post, pool, sales, make_agent, fake_twilio, run_tasks
):
    from interactions.actions import lifecycle

    sales.csat_enabled = True
    sales.save()
    agent = make_agent("sam", services=[sales])
    signed_post(INBOUND, through_pool())
    lifecycle.close_interaction(Interaction.objects.get().pk, actor=agent.user)
    run_tasks()
    [params] = created_messages(fake_twilio)
    assert "1" in params["Body"] and "5" in params["Body"]  # the text survey, inside the window
    assert params["MessagingServiceSid"] == MG and "From" not in params
