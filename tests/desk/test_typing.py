"""WhatsApp's typing indicator: sent to Twilio for the customer's latest message, once, never loudly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from desk import actions
from tests.desk.helpers import inbound, run

pytestmark = pytest.mark.django_db

TYPING = "/v2/Indicators/Typing.json"


def typing_requests(fake):
    return [r for r in fake.requests if r["path"] == TYPING]


def test_the_indicator_names_the_latest_inbound_message_and_goes_once_per_message_and_20_s(
    agent, service, fake_twilio
):
    first = inbound(service, provider_id="SM" + "a" * 32)
    interaction = first.interaction
    now = timezone.now()
    assert actions.send_typing(agent, interaction, now=now) == "SM" + "a" * 32
    # Every keystroke of every tab asks; Twilio hears once.
    assert actions.send_typing(agent, interaction, now=now + timedelta(seconds=1)) is None
    assert actions.send_typing(agent, interaction, now=now + timedelta(seconds=30)) is None
    [request] = typing_requests(fake_twilio)
    assert request["method"] == "POST"
    assert request["params"] == {"channel": "whatsapp", "messageId": "SM" + "a" * 32}
    # A new message from the customer: again, but not within 20 s of the last one.
    inbound(service, provider_id="SM" + "b" * 32)
    assert actions.send_typing(agent, interaction, now=now + timedelta(seconds=10)) is None
    assert (
        actions.send_typing(agent, interaction, now=now + timedelta(seconds=21)) == "SM" + "b" * 32
    )
    assert [r["params"]["messageId"] for r in typing_requests(fake_twilio)] == [
        "SM" + "a" * 32,
        "SM" + "b" * 32,
    ]


def test_only_the_agent_holding_it_signals(agent, make_agent, service, fake_twilio):
    result = inbound(service, provider_id="SM" + "c" * 32)
    other = make_agent("bea")
    assert actions.send_typing(other, result.interaction) is None
    assert typing_requests(fake_twilio) == []


def test_a_refusal_is_logged_and_never_raised(agent, service, fake_twilio, caplog):
    result = inbound(service, provider_id="SM" + "d" * 32)
    fake_twilio.accounts.clear()  # every request now answers 401
    assert actions.send_typing(agent, result.interaction) is None
    assert "typing indicator for interaction" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_desk_command_answers_quietly(tab, agent, service, fake_twilio):
    result = inbound(service, provider_id="SM" + "e" * 32)

    async def scenario():
        desk = tab(agent.user)
        await desk.open()
        one = await desk.command(
            {"type": "typing", "interaction_id": result.interaction.pk}, "typing.ok"
        )
        two = await desk.command(
            {"type": "typing", "interaction_id": result.interaction.pk}, "typing.ok"
        )
        await desk.close()
        return one, two

    one, two = run(scenario)
    assert (one["sent"], two["sent"]) == (True, False)
    assert len(typing_requests(fake_twilio)) == 1


def test_the_fake_answers_as_twilio_documents(fake_twilio):
    import base64

    from tests.conftest import ACCOUNT_SID, AUTH_TOKEN

    auth = {
        "Authorization": "Basic "
        + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    }
    ok = fake_twilio.handle("POST", TYPING, {}, auth, b"channel=whatsapp&messageId=SM" + b"f" * 32)
    assert ok == (200, {"success": True}, "application/json")
    missing = fake_twilio.handle("POST", TYPING, {}, auth, b"channel=whatsapp")
    assert missing[0] == 400 and missing[1]["code"] == 20001
    assert fake_twilio.handle("POST", TYPING, {}, {}, b"channel=whatsapp")[0] == 401
