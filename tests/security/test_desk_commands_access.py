"""The desk's WebSocket commands: an agent acts only on the interactions they hold.

Runs once the desk's commands exist (DeskConsumer.COMMANDS); before that it
skips. An agent of another service can neither see nor act; a teammate of
the same service may read (the desk lets colleagues follow a conversation)
but neither reply, close nor transfer.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from desk.consumers import DeskConsumer
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.models import Interaction, Message
from tests.conftest import CUSTOMER_NUMBER
from tests.faults.async_helpers import run_async

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not hasattr(DeskConsumer, "COMMANDS"), reason="the desk has no WebSocket commands yet"
    ),
]


async def command(user, payload: dict) -> dict:
    """Open a desk socket as `user`, send one command, return its answer."""
    communicator = WebsocketCommunicator(DeskConsumer.as_asgi(), "/ws/desk/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    answer = None
    await communicator.send_json_to({**payload, "request_id": "r1"})
    for _ in range(20):
        if await communicator.receive_nothing(timeout=0.25):
            continue
        event = await communicator.receive_json_from()
        if event.get("request_id") == "r1":
            answer = event
            break
    await communicator.disconnect()
    await sync_to_async(connections.close_all)()
    return answer


@pytest.fixture
def held(service, make_agent):
    from services.models import Service

    holder = make_agent("alex")
    teammate = make_agent("bea", presence="away")
    elsewhere_service = Service.objects.create(name="Sales")
    stranger = make_agent("carl", services=[elsewhere_service])
    interaction = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "9" * 32, body="mine"
        ),
    ).interaction
    assert interaction.agent_id == holder.pk
    return interaction, holder, teammate, stranger


@pytest.mark.parametrize(
    "kind,extra",
    [("reply", {"body": "not yours"}), ("close", {}), ("transfer", {"to_agent_id": None})],
)
def test_other_agents_cannot_act_on_an_agents_interaction(held, kind, extra):
    interaction, holder, teammate, stranger = held
    before = Interaction.objects.get(pk=interaction.pk)
    for intruder in (teammate, stranger):
        answer = run_async(
            command, intruder.user, {"type": kind, "interaction_id": interaction.pk, **extra}
        )()
        assert answer is not None and answer["type"] == "error", (
            f"{intruder} could {kind}: {answer}"
        )
    after = Interaction.objects.get(pk=interaction.pk)
    assert (after.state, after.agent_id, after.version) == (
        before.state,
        before.agent_id,
        before.version,
    )
    assert not Message.objects.filter(direction="out").exists()


def test_an_agent_of_another_service_cannot_read_the_conversation(held):
    interaction, holder, teammate, stranger = held
    answer = run_async(command, stranger.user, {"type": "open", "interaction_id": interaction.pk})()
    assert answer["type"] == "error"
    assert "mine" not in str(answer)


def test_the_holder_can_reply(held):
    interaction, holder, teammate, stranger = held
    answer = run_async(
        command, holder.user, {"type": "reply", "interaction_id": interaction.pk, "body": "hello"}
    )()
    assert answer["type"] != "error", answer
    assert Message.objects.filter(direction="out", body="hello").count() == 1


@pytest.mark.parametrize("interaction_id", [None, "x", -1, 10**12, {"a": 1}, [1]])
def test_malformed_commands_are_errors_not_crashes(held, interaction_id):
    interaction, holder, teammate, stranger = held
    for kind in ("open", "reply", "close", "transfer"):
        answer = run_async(
            command, holder.user, {"type": kind, "interaction_id": interaction_id, "body": "x"}
        )()
        assert answer is not None and answer["type"] == "error"


@pytest.mark.parametrize("kind", ["supervisor", "watch", "take_over"])
def test_the_supervisors_commands_follow_the_three_roles(held, django_user_model, kind):
    """Agent: refused. Supervisor and administrator: answered (take over needs their own profile)."""
    from agents.models import AgentProfile
    from agents.roles import Role, set_role

    interaction, holder, teammate, _stranger = held
    watcher = django_user_model.objects.create_user("sam", password="x-pass-123")
    set_role(watcher, Role.SUPERVISOR)
    boss = django_user_model.objects.create_user("ada2", password="x-pass-123", is_staff=True)
    for user in (watcher, boss):
        AgentProfile.objects.create(user=user, chat_enabled=True)
    expected = {
        "supervisor": "supervisor",
        "watch": "watch.conversation",
        "take_over": "take_over.ok",
    }
    payload = {"type": kind, "interaction_id": interaction.pk}
    refused = run_async(command, teammate.user, payload)()
    assert refused["type"] == "error", refused
    for user in (django_user_model.objects.get(pk=watcher.pk), boss):
        answer = run_async(command, user, payload)()
        assert answer["type"] == expected[kind], (user, answer)
