"""The per-service Twilio health check, against the fake Twilio and this server over real HTTP."""

from __future__ import annotations

import pytest

from interactions.models import Contact, Interaction, Message
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_NUMBER, load_payload
from tests.whatsapp.conftest import INBOUND
from whatsapp.health import check_self_webhook, check_service

live = pytest.mark.django_db(transaction=True)


@pytest.fixture
def public(settings, live_server):
    """This installation's public URL is the live server's."""
    settings.OCC_PUBLIC_BASE_URL = live_server.url
    return live_server.url


@pytest.fixture
def sender(fake_twilio, public):
    """The service's WhatsApp sender, configured as the console says."""
    sender = fake_twilio.senders[ACCOUNT_SID][0]
    sender.callback_url = public + "/whatsapp/twilio/inbound"
    sender.status_callback_url = public + "/whatsapp/twilio/status"
    return sender


def states(report) -> dict[str, str]:
    return {check.key: check.state for check in report.checks}


def nothing_stored():
    return not (
        Message.objects.exists() or Contact.objects.exists() or Interaction.objects.exists()
    )


@live
def test_healthy_service_passes_every_check_and_stores_nothing(service, sender, fake_twilio):
    report = check_service(service)
    assert states(report) == {
        "configuration": "ok",
        "sender": "ok",
        "inbound_url": "ok",
        "status_url": "ok",
        "self_test": "ok",
    }
    assert report.ok
    assert any(r["path"].startswith("/v2/Channels/Senders") for r in fake_twilio.requests)
    assert nothing_stored()


@live
def test_trailing_slash_in_the_console_is_fine(service, sender):
    sender.callback_url += "/"
    assert states(check_service(service))["inbound_url"] == "ok"


@live
def test_number_that_is_not_a_sender_is_shown_with_the_fix(service, fake_twilio, public):
    fake_twilio.senders[ACCOUNT_SID] = []
    fake_twilio.add_sender(ACCOUNT_SID, "+390298765432")
    report = check_service(service)
    sender = report.get("sender")
    assert sender.state == "error"
    assert "whatsapp:+390298765432" in sender.detail
    assert SERVICE_NUMBER in sender.fix and "WhatsApp sender" in sender.fix
    assert not report.ok


@live
def test_wrong_incoming_url_is_shown_with_the_url_to_paste(service, sender, public):
    sender.callback_url = "https://old-helpdesk.example.com/hooks/whatsapp"
    check = check_service(service).get("inbound_url")
    assert check.state == "error"
    assert "old-helpdesk.example.com" in check.detail
    assert public + "/whatsapp/twilio/inbound" in check.fix


@live
def test_foreign_status_callback_and_fallback_are_warnings(service, sender, public):
    sender.status_callback_url = "https://elsewhere.example.com/status"
    sender.fallback_url = "https://elsewhere.example.com/fallback"
    report = check_service(service)
    assert report.get("status_url").state == "warning"
    assert public + "/whatsapp/twilio/status" in report.get("status_url").fix
    assert report.get("fallback_url").state == "warning"
    assert report.ok  # warnings do not stop messages


@live
def test_not_online_sender_is_a_warning(service, sender):
    sender.status = "PENDING_VERIFICATION"
    check = check_service(service).get("sender")
    assert check.state == "warning" and "PENDING_VERIFICATION" in check.detail


@live
def test_refused_credentials_are_named(service, sender, fake_twilio):
    fake_twilio.accounts[ACCOUNT_SID].auth_token = "rotated-on-twilio"
    check = check_service(service).get("sender")
    assert check.state == "error" and "20003" in check.detail


@live
def test_unreachable_public_url_is_reported(service, fake_twilio, settings):
    settings.OCC_PUBLIC_BASE_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    check = check_service(service).get("self_test")
    assert check.state == "error"
    assert "OCC_PUBLIC_BASE_URL" in check.fix


@live
def test_signature_mismatch_behind_a_proxy_is_reported(service, live_server, settings):
    # The server believes it is reached as occ.example.com; the test webhook
    # arrives at the live server's own address, so the signatures differ.
    settings.OCC_PUBLIC_BASE_URL = "https://occ.example.com"
    check = check_self_webhook(service, ACCOUNT_SID, AUTH_TOKEN, live_server.url + INBOUND)
    assert check.state == "error"
    assert "signature" in check.detail and "OCC_TRUSTED_PROXIES" in check.fix
    assert nothing_stored()


@live
def test_accepted_webhook_without_a_service_is_reported(service, public):
    service.whatsapp_enabled = False
    service.save()
    check = check_self_webhook(service, ACCOUNT_SID, AUTH_TOKEN, public + INBOUND)
    assert check.state == "error" and SERVICE_NUMBER in check.detail


@pytest.mark.django_db
def test_switched_off_service_stops_at_configuration(service, fake_twilio):
    service.whatsapp_enabled = False
    service.save()
    report = check_service(service)
    assert states(report) == {"configuration": "error"}
    assert "WhatsApp" in report.get("configuration").fix
    assert fake_twilio.requests == []


@pytest.mark.django_db
class TestTheTestWebhook:
    def test_is_answered_and_stores_nothing(self, signed_post, service, agent):
        response = signed_post(INBOUND, load_payload("inbound_text", OccHealthCheck="abc123"))
        assert response.status_code == 200
        assert response["X-OCC-Health-Check"] == "abc123"
        assert response["X-OCC-Health-Service"] == str(service.pk)
        assert nothing_stored()

    def test_unsigned_is_refused(self, client, service):
        response = client.post(INBOUND, load_payload("inbound_text", OccHealthCheck="abc123"))
        assert response.status_code == 403
        assert "X-OCC-Health-Check" not in response


@live
class TestThePage:
    def test_administrator_sees_each_check_and_its_fix(
        self, admin_client, service, sender, fake_twilio
    ):
        sender.callback_url = "https://old-helpdesk.example.com/hooks/whatsapp"
        response = admin_client.get(f"/whatsapp/health/{service.pk}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-check="inbound_url"' in html and "old-helpdesk.example.com" in html
        assert "/whatsapp/twilio/inbound with method POST" in html
        assert 'data-ok="false"' in html

    def test_agents_may_not_open_it(self, client, agent, service):
        client.force_login(agent.user)
        assert client.get(f"/whatsapp/health/{service.pk}/").status_code == 403


@pytest.mark.django_db
def test_page_speaks_italian(admin_client, service, fake_twilio):
    from django.utils import translation

    try:
        html = admin_client.get(
            f"/whatsapp/health/{service.pk}/", HTTP_ACCEPT_LANGUAGE="it"
        ).content.decode()
    finally:
        # The request activated Italian in this thread; later tests expect English.
        translation.activate("en")
    assert (
        "Verifica stato Twilio" in html
        and "Come correggere" in html
        and "Ripeti i controlli" in html
    )


@pytest.mark.django_db
def test_queue_reply_speaks_italian(service):
    from services import messages

    service.default_language = "it"
    text = messages.render(service, "queued", None, position=4, wait_minutes=12)
    assert "sei il numero 4 in coda" in text and "circa 12 minuti" in text
