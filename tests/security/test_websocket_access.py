"""The desk's WebSocket: anonymous and foreign-origin connections refused; an agent hears only their own."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from agents.models import Presence
from desk.consumers import DeskConsumer
from interactions.actions.inbound import InboundMessage, receive_inbound
from tests.conftest import CUSTOMER_NUMBER
from tests.faults.async_helpers import run_async

pytestmark = pytest.mark.django_db(transaction=True)


def test_anonymous_connections_are_refused():
    from django.contrib.auth.models import AnonymousUser

    async def connect():
        communicator = WebsocketCommunicator(DeskConsumer.as_asgi(), "/ws/desk/")
        communicator.scope["user"] = AnonymousUser()
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    connected, code = run_async(connect)()
    assert not connected and code == 4401


def test_a_foreign_origin_cannot_open_the_desk_socket(agent):
    """Cross-site WebSocket hijacking: another site's page cannot ride the agent's session."""
    from occ.asgi import application

    async def connect(origin: bytes):
        communicator = WebsocketCommunicator(
            application, "/ws/desk/", headers=[(b"origin", origin), (b"host", b"testserver")]
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert not run_async(connect)(b"https://evil.example")


def test_an_agent_hears_only_their_own_interactions(service, make_agent):
    owner = make_agent("alex")
    other = make_agent("bea", presence=Presence.AWAY)

    async def scenario():
        desks = {}
        for profile in (owner, other):
            communicator = WebsocketCommunicator(DeskConsumer.as_asgi(), "/ws/desk/")
            communicator.scope["user"] = profile.user
            connected, _ = await communicator.connect()
            assert connected
            assert (await communicator.receive_json_from(timeout=3))["type"] == "hello"
            desks[profile.pk] = communicator
        await sync_to_async(receive_inbound)(
            service,
            InboundMessage(
                channel="whatsapp",
                address=CUSTOMER_NUMBER,
                provider_id="SM" + "c" * 32,
                body="private",
            ),
        )
        heard = []
        while not await desks[owner.pk].receive_nothing(timeout=0.3):
            heard.append(await desks[owner.pk].receive_json_from())
        other_heard_nothing = await desks[other.pk].receive_nothing(timeout=0.5)
        for communicator in desks.values():
            await communicator.disconnect()
        await sync_to_async(connections.close_all)()
        return heard, other_heard_nothing

    heard, other_heard_nothing = run_async(scenario)()
    assert any(
        event["type"] == "message.created" and event["message"]["body"] == "private"
        for event in heard
    )
    assert other_heard_nothing, "another agent received a push about someone else's interaction"
