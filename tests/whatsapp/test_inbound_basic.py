"""An inbound webhook becomes a stored message of an interaction assigned to an agent."""

import pytest

from interactions.models import Interaction, Message
from tests.conftest import load_payload

pytestmark = pytest.mark.django_db

INBOUND = "/whatsapp/twilio/inbound"


def test_signed_message_is_stored_and_assigned(signed_post, service, agent):
    response = signed_post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 200
    assert b"<Response/>" in response.content
    interaction = Interaction.objects.get()
    assert interaction.agent == agent
    assert interaction.contact.name == "Maria Rossi"
    assert Message.objects.get().body.startswith("Buongiorno")


def test_unsigned_request_is_refused_and_stores_nothing(client, service, agent):
    response = client.post(INBOUND, load_payload("inbound_text"))
    assert response.status_code == 403
    assert not Message.objects.exists()


def test_repeated_delivery_changes_nothing(signed_post, service, agent):
    payload = load_payload("inbound_text")
    assert signed_post(INBOUND, payload).status_code == 200
    assert signed_post(INBOUND, payload).status_code == 200
    assert Message.objects.count() == 1


def test_every_attachment_is_kept(signed_post, service, agent):
    signed_post(INBOUND, load_payload("inbound_two_images"))
    message = Message.objects.get()
    assert [a["content_type"] for a in message.attachments] == ["image/jpeg", "application/pdf"]
