"""The inbound webhook: signed Twilio payloads become stored messages of routed interactions."""

from __future__ import annotations

import pytest

from interactions.models import Contact, Interaction, Message
from interactions.payloads import message_dict
from tests.conftest import AUTH_TOKEN, CUSTOMER_NUMBER, load_payload
from tests.whatsapp.conftest import INBOUND, STATUS

pytestmark = pytest.mark.django_db


class TestIntake:
    def test_signed_message_is_stored_and_assigned(self, signed_post, service, agent):
        response = signed_post(INBOUND, load_payload("inbound_text"))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/xml")
        assert response.content.endswith(b"<Response/>")
        interaction = Interaction.objects.get()
        assert (interaction.agent, interaction.state) == (agent, "assigned")
        assert "least loaded" in interaction.assignment_reason
        message = Message.objects.get()
        assert message.body == "Buongiorno, vorrei informazioni sul mio ordine"
        assert message.provider_id == "SM1f0e8ae6ade43cb3c0ce4525424e404f"
        contact = Contact.objects.get()
        assert (contact.address, contact.name, contact.external_id) == (
            CUSTOMER_NUMBER,
            "Maria Rossi",
            "393331234567",
        )

    @pytest.mark.parametrize("path", [INBOUND, INBOUND + "/"])
    def test_both_spellings_of_the_inbound_url_work(self, signed_post, service, agent, path):
        assert signed_post(path, load_payload("inbound_text")).status_code == 200
        assert Message.objects.count() == 1

    @pytest.mark.parametrize("path", [STATUS, STATUS + "/"])
    def test_both_spellings_of_the_status_url_work(self, signed_post, outbound_message, path):
        assert signed_post(path, load_payload("status_delivered")).status_code == 200
        outbound_message.refresh_from_db()
        assert outbound_message.status == "delivered"

    def test_get_is_not_allowed(self, client, service):
        assert client.get(INBOUND).status_code == 405

    def test_repeated_delivery_changes_nothing(self, signed_post, service, agent):
        payload = load_payload("inbound_text")
        assert signed_post(INBOUND, payload).status_code == 200
        before = list(Interaction.objects.values())
        # Twilio's retry after a timeout: same MessageSid (even with other fields changed).
        again = load_payload("inbound_text", ProfileName="Someone Else", Body="changed")
        assert signed_post(INBOUND, again).status_code == 200
        assert Message.objects.count() == 1
        assert Message.objects.get().body == payload["Body"]
        assert Contact.objects.get().name == "Maria Rossi"
        assert list(Interaction.objects.values()) == before

    def test_later_message_joins_the_open_interaction_and_updates_the_profile_name(
        self, signed_post, service, agent
    ):
        signed_post(INBOUND, load_payload("inbound_text"))
        Contact.objects.update(name="Maria (the agent's name)")
        signed_post(INBOUND, load_payload("inbound_location", ProfileName="Maria R."))
        assert Interaction.objects.count() == 1
        assert Interaction.objects.get().messages.count() == 2
        contact = Contact.objects.get()
        # WhatsApp's profile name follows the customer; the name agents gave stays theirs.
        assert (contact.profile_name, contact.name) == ("Maria R.", "Maria (the agent's name)")

    def test_unknown_fields_are_kept_in_the_payload(self, signed_post, service, agent):
        payload = load_payload("inbound_text", BrandNewTwilioField="42", ChannelMetadata='{"x": 1}')
        signed_post(INBOUND, payload)
        stored = Message.objects.get().payload
        assert stored["BrandNewTwilioField"] == "42"
        assert stored == payload


class TestSignature:
    def test_unsigned_request_is_refused_and_stores_nothing(self, client, service, agent):
        response = client.post(INBOUND, load_payload("inbound_text"))
        assert response.status_code == 403
        assert not Message.objects.exists() and not Contact.objects.exists()

    def test_request_signed_with_another_token_is_refused(self, signed_post, service, agent):
        response = signed_post(INBOUND, load_payload("inbound_text"), token="not-" + AUTH_TOKEN)
        assert response.status_code == 403
        assert not Message.objects.exists()

    def test_tampered_body_is_refused(self, client, signed_post, service, agent):
        from twilio.request_validator import RequestValidator

        payload = load_payload("inbound_text")
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            "http://testserver" + INBOUND, payload
        )
        response = signed_post(INBOUND, {**payload, "Body": "forged"}, signature=signature)
        assert response.status_code == 403
        assert not Message.objects.exists()

    def test_signature_for_another_url_is_refused(self, signed_post, service, agent):
        response = signed_post(
            INBOUND, load_payload("inbound_text"), base="https://elsewhere.example.com"
        )
        assert response.status_code == 403

    def test_status_callback_needs_a_signature_too(self, client, outbound_message):
        response = client.post(STATUS, load_payload("status_read"))
        assert response.status_code == 403
        outbound_message.refresh_from_db()
        assert outbound_message.status == "queued"

    def test_without_a_stored_token_every_request_is_refused(
        self, signed_post, service, agent, chat_settings
    ):
        chat_settings.set_auth_token("")
        chat_settings.save()
        assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 403


class TestBehindAProxy:
    """Twilio signs the public URL; the application sees the proxy's http:// request."""

    PUBLIC = "https://occ.example.com"

    def test_public_base_url_setting(self, settings, signed_post, service, agent):
        settings.OCC_PUBLIC_BASE_URL = self.PUBLIC
        response = signed_post(INBOUND, load_payload("inbound_text"), base=self.PUBLIC)
        assert response.status_code == 200
        assert Message.objects.count() == 1

    def test_public_base_url_with_a_non_default_port(self, settings, signed_post, service, agent):
        settings.OCC_PUBLIC_BASE_URL = "https://occ.example.com:8443"
        response = signed_post(
            INBOUND, load_payload("inbound_text"), base="https://occ.example.com:8443"
        )
        assert response.status_code == 200
        # The port is part of what Twilio signed: without it the signature is wrong.
        other = load_payload("inbound_location")
        assert signed_post(INBOUND, other, base="https://occ.example.com:9443").status_code == 403

    # The test client's peer address is 127.0.0.1: the proxy, when trusted.
    def test_trusted_forwarded_headers_on_tls_proxy(self, settings, signed_post, service, agent):
        settings.OCC_TRUSTED_PROXIES = ["127.0.0.1"]
        response = signed_post(
            INBOUND,
            load_payload("inbound_text"),
            base=self.PUBLIC,
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_FORWARDED_HOST="occ.example.com",
        )
        assert response.status_code == 200

    def test_trusted_forwarded_headers_with_a_non_default_port(
        self, settings, signed_post, service, agent
    ):
        settings.OCC_TRUSTED_PROXIES = ["127.0.0.0/8"]
        response = signed_post(
            INBOUND,
            load_payload("inbound_text"),
            base="https://occ.example.com:8443",
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_FORWARDED_HOST="occ.example.com",
            HTTP_X_FORWARDED_PORT="8443",
        )
        assert response.status_code == 200

    @pytest.mark.parametrize("trusted", [[], ["10.0.0.5"]])
    def test_forwarded_headers_are_ignored_unless_trusted(
        self, settings, signed_post, service, agent, trusted
    ):
        settings.OCC_TRUSTED_PROXIES = trusted
        response = signed_post(
            INBOUND,
            load_payload("inbound_text"),
            base=self.PUBLIC,
            HTTP_X_FORWARDED_PROTO="https",
            HTTP_X_FORWARDED_HOST="occ.example.com",
        )
        assert response.status_code == 403
        assert not Message.objects.exists()


class TestNobodyAnswersThatNumber:
    def test_unknown_number_is_answered_and_stores_nothing(
        self, signed_post, service, agent, caplog
    ):
        response = signed_post(INBOUND, load_payload("inbound_text", To="whatsapp:+390299999999"))
        assert response.status_code == 200
        assert response.content.endswith(b"<Response/>")
        assert not Message.objects.exists() and not Contact.objects.exists()
        assert "no service with WhatsApp" in caplog.text

    def test_service_with_whatsapp_off_stores_nothing(self, signed_post, service, agent):
        service.whatsapp_enabled = False
        service.save()
        assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
        assert not Message.objects.exists()

    def test_inactive_service_stores_nothing(self, signed_post, service, agent):
        service.is_active = False
        service.save()
        assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
        assert not Message.objects.exists()

    def test_whatsapp_off_for_the_account_stores_nothing(
        self, signed_post, service, agent, chat_settings
    ):
        chat_settings.whatsapp_enabled = False
        chat_settings.save()
        assert signed_post(INBOUND, load_payload("inbound_text")).status_code == 200
        assert not Message.objects.exists()


class TestWhatAMessageCarries:
    def test_every_attachment_is_kept_in_order(self, signed_post, service, agent):
        payload = load_payload("inbound_three_media")
        signed_post(INBOUND, payload)
        message = Message.objects.get()
        assert message.attachments == [
            {"url": payload[f"MediaUrl{i}"], "content_type": payload[f"MediaContentType{i}"]}
            for i in range(3)
        ]
        assert [a["content_type"] for a in message_dict(message)["attachments"]] == [
            "image/jpeg",
            "video/mp4",
            "audio/ogg",
        ]

    def test_two_attachments_with_a_caption(self, signed_post, service, agent):
        signed_post(INBOUND, load_payload("inbound_two_images"))
        message = Message.objects.get()
        assert [a["content_type"] for a in message.attachments] == ["image/jpeg", "application/pdf"]
        assert message.body == "Ecco la foto e la ricevuta"

    def test_location(self, signed_post, service, agent):
        signed_post(INBOUND, load_payload("inbound_location"))
        extras = message_dict(Message.objects.get())["extras"]
        assert extras == {
            "location": {
                "latitude": 45.4642035,
                "longitude": 9.189982,
                "address": "Piazza del Duomo, 20122 Milano MI, Italia",
                "label": "Duomo di Milano",
            }
        }

    def test_button_reply_and_the_message_it_answers(self, signed_post, service, agent):
        signed_post(INBOUND, load_payload("inbound_button_reply"))
        extras = message_dict(Message.objects.get())["extras"]
        assert extras["button"] == {
            "payload": "confirm_order_1042",
            "text": "Sì, confermo",
            "type": "QUICK_REPLY",
        }
        assert extras["reply_to"]["message_sid"] == "SM0f1e2d3c4b5a69788796a5b4c3d2e1f0"

    def test_click_to_whatsapp_referral(self, signed_post, service, agent):
        payload = load_payload("inbound_referral")
        signed_post(INBOUND, payload)
        referral = message_dict(Message.objects.get())["extras"]["referral"]
        assert referral["headline"] == "Offerta di primavera"
        assert referral["source_type"] == "ad"
        assert referral["source_url"] == "https://fb.me/3abcDEFgh"
        assert referral["ctwa_clid"] == payload["ReferralCtwaClid"]

    def test_plain_text_has_no_extras(self, signed_post, service, agent):
        signed_post(INBOUND, load_payload("inbound_text"))
        assert message_dict(Message.objects.get())["extras"] == {}


class TestLeanPath:
    """The webhook's database work is bounded (figures for SQLite; PostgreSQL is the same minus savepoints)."""

    def count(self, signed_post, payload):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert signed_post(INBOUND, payload).status_code == 200
        # Savepoints cost nothing worth counting and vary with signal receivers.
        return sum(
            1
            for q in queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))
        )

    def test_query_budget(self, signed_post, service, make_agent):
        for name in ("a", "b", "c"):
            make_agent(name)
        # account, service, contact (+insert), interaction (+insert, event), message,
        # its place in the queue (the service's counter, locked; the interaction's order),
        # agents, their load, the queue, the assignment (+agent, event)
        assert self.count(signed_post, load_payload("inbound_text")) <= 17
        # a message joining an open interaction: no routing at all
        assert self.count(signed_post, load_payload("inbound_location")) <= 6
        # a duplicate: the insert fails on the unique MessageSid, then one check
        assert self.count(signed_post, load_payload("inbound_location")) <= 7
