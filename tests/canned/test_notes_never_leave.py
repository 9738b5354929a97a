"""A note never leaves OCC: no Twilio request, no webhook, never on the customer's phone.

Everything real: the Twilio webhook signed as Twilio signs it, replies sent
by the real twilio client over HTTP to the fake Twilio (whose every request
is recorded), the outbound webhooks delivered over HTTP to a receiver on
loopback by the task worker, notes added through the desk's WebSocket and
the REST API, and the sandbox phone's own view of the conversation, which
shows what the customer received. Replies go out before and after the
notes, so the watched paths demonstrably carry messages, and the notes'
words never appear on them.
"""

from __future__ import annotations

import json

import pytest

from interactions.models import Interaction, Message, Note
from tests.api.conftest import token_client
from tests.conftest import CUSTOMER_NUMBER, SERVICE_NUMBER, load_payload
from tests.desk.helpers import Tab, run

pytestmark = pytest.mark.django_db(transaction=True)

NOTE_FROM_THE_DESK = "Customer sounds upset, @bea please check the refund SECRET-DESK-7731"
NOTE_FROM_THE_API = "Refund approved internally SECRET-API-4402 @bea"
NOTE_FROM_THE_MENTIONED = "Checked, all fine SECRET-BEA-9918"
SECRETS = ("SECRET-DESK-7731", "SECRET-API-4402", "SECRET-BEA-9918", "@bea")


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.OCC_PRESENCE_GRACE_SECONDS = 0
    settings.OCC_WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.OCC_SANDBOX = True


def test_notes_with_mentions_reach_no_twilio_request_no_webhook_and_not_the_phone(
    client,
    signed_post,
    fake_twilio,
    receiver,
    endpoint,
    make_agent,
    admin_user,
    run_tasks,
    monkeypatch,
):
    from whatsapp.sandbox import state

    # The sandbox phone reads what this fake Twilio was asked to send: the customer's view.
    monkeypatch.setattr(state, "_fake", fake_twilio)
    alex = make_agent("alex")
    bea = make_agent("bea")
    assert endpoint.event_types == []  # every event type

    assert signed_post("/whatsapp/twilio/inbound", load_payload("inbound_text")).status_code == 200
    interaction = Interaction.objects.get()
    assert interaction.agent_id == alex.pk
    alex_api = token_client(alex.user)
    messages_url = f"/api/v1/interactions/{interaction.pk}/messages/"
    assert alex_api.post(messages_url, {"body": "First reply"}, format="json").status_code == 201

    async def desk_notes():
        holder, mentioned = Tab(alex.user), Tab(bea.user)
        await holder.open()
        await mentioned.open()
        await holder.command(
            {"type": "note", "interaction_id": interaction.pk, "body": NOTE_FROM_THE_DESK},
            "note.stored",
        )
        await mentioned.receive_until("note.mention")
        await mentioned.command(
            {"type": "note", "interaction_id": interaction.pk, "body": NOTE_FROM_THE_MENTIONED},
            "note.stored",
        )
        await holder.receive_until("note.created", note__body=NOTE_FROM_THE_MENTIONED)
        await holder.close()
        await mentioned.close()

    run(desk_notes)
    notes_url = f"/api/v1/interactions/{interaction.pk}/notes/"
    answer = alex_api.post(notes_url, {"body": NOTE_FROM_THE_API}, format="json")
    assert answer.status_code == 201
    assert alex_api.post(messages_url, {"body": "Second reply"}, format="json").status_code == 201
    run_tasks()  # the webhooks' deliveries

    assert Note.objects.count() == 3
    assert set(Note.objects.get(body=NOTE_FROM_THE_DESK).mentions.all()) == {bea}

    # 1. Twilio: exactly the two replies were sent, and no request carries a note's words.
    sends = [r for r in fake_twilio.requests if r["path"].endswith("/Messages.json")]
    assert [r["params"].get("Body") for r in sends] == ["First reply", "Second reply"]
    recorded = json.dumps(fake_twilio.requests)
    for secret in SECRETS:
        assert secret not in recorded

    # 2. Webhooks: message events for the customer's message and the replies, none for the notes.
    events = receiver.events()
    types = [e["type"] for e in events]
    assert "message.received" in types and types.count("message.sent") == 2
    assert not [t for t in types if t.startswith("note")]
    message_bodies = [e["data"]["message"]["body"] for e in events if t_is_message(e)]
    assert sorted(message_bodies) == sorted(
        ["Buongiorno, vorrei informazioni sul mio ordine", "First reply", "Second reply"]
    )
    raw = b"".join(r["body"] for r in receiver.requests)
    for secret in SECRETS:
        assert secret.encode() not in raw

    # 3. No message row holds a note, so no retry or sweep can ever send one.
    for secret in SECRETS[:3]:
        assert not Message.objects.filter(body__contains=secret).exists()

    # 4. The customer's phone shows the replies and nothing of the notes.
    client.force_login(admin_user)
    phone = client.get(
        "/sandbox/phone/messages/", {"service": SERVICE_NUMBER, "customer": CUSTOMER_NUMBER}
    ).json()["messages"]
    assert [m["body"] for m in phone if m["direction"] == "to_customer"] == [
        "First reply",
        "Second reply",
    ]
    for secret in SECRETS:
        assert secret not in json.dumps(phone)


def t_is_message(event: dict) -> bool:
    return event["type"].startswith("message.")
