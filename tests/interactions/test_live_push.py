"""An inbound webhook reaches the assigned agent's WebSocket, and nobody else's.

The whole ASGI application is used (origin check, session authentication,
URL routing, DeskConsumer) with the project's channel layer.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.db import connections

from agents.models import Presence
from tests.conftest import load_payload

INBOUND = "/whatsapp/twilio/inbound"


def session_headers(client, user) -> list[tuple[bytes, bytes]]:
    client.force_login(user)
    cookie = f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://testserver")]


def run(coroutine_function):
    """Run a scenario on an event loop of its own (another test may hold this thread's loop)."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(asyncio.run, coroutine_function()).result()


async def connect(headers):
    from occ.asgi import application

    communicator = WebsocketCommunicator(application, "/ws/desk/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello["type"] == "hello"
    return communicator, hello


async def drain(communicator) -> list[dict]:
    """Everything pushed so far (pushes are sent before the webhook answers)."""
    events = []
    while not await communicator.receive_nothing(timeout=0.2):
        events.append(await communicator.receive_json_from())
    return events


@pytest.mark.django_db(transaction=True)
def test_webhook_reaches_the_assigned_agents_socket_only(
    client, signed_post, make_agent, django_user_model
):
    from django.test import Client

    alice = make_agent("alice", max_interactions=3)
    bob = make_agent(
        "bob", max_interactions=3, presence=Presence.AWAY
    )  # not available: gets nothing
    alice_headers = session_headers(Client(), alice.user)
    bob_headers = session_headers(Client(), bob.user)

    async def scenario():
        alice_ws, alice_hello = await connect(alice_headers)
        bob_ws, bob_hello = await connect(bob_headers)
        assert (alice_hello["agent_id"], bob_hello["agent_id"]) == (alice.pk, bob.pk)
        response = await sync_to_async(signed_post)(INBOUND, load_payload("inbound_location"))
        assert response.status_code == 200
        alice_events, bob_events = await drain(alice_ws), await drain(bob_ws)
        await alice_ws.disconnect()
        await bob_ws.disconnect()
        # The consumer's database thread keeps its connection (CONN_MAX_AGE): close it.
        await sync_to_async(connections.close_all)()
        return alice_events, bob_events

    alice_events, bob_events = run(scenario)
    assert [e["type"] for e in alice_events] == ["interaction.assigned", "message.created"]
    assigned, created = alice_events
    assert assigned["interaction"]["agent_id"] == alice.pk
    assert assigned["interaction"]["contact"]["name"] == "Maria Rossi"
    assert created["interaction_id"] == assigned["interaction"]["id"]
    assert created["message"]["extras"]["location"]["label"] == "Duomo di Milano"
    assert bob_events == []


@pytest.mark.django_db(transaction=True)
def test_anonymous_socket_is_refused():
    from occ.asgi import application

    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/desk/", headers=[(b"origin", b"http://testserver")]
        )
        connected, code = await communicator.connect()
        await communicator.disconnect()
        await sync_to_async(connections.close_all)()
        return connected, code

    connected, code = run(scenario)
    assert not connected
