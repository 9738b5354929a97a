"""The channel layer (Redis) down, frozen or restarted: webhooks are still stored and answered.

A push is a notification, the database is the truth: a webhook never fails
or waits long because the layer cannot deliver a push.
"""

from __future__ import annotations

import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from desk.consumers import DeskConsumer
from interactions.models import Interaction, Message
from tests.conftest import load_payload
from tests.faults.async_helpers import run_async
from tests.faults.conftest import pubsub_layer

INBOUND = "/whatsapp/twilio/inbound"
# Twilio gives up on a webhook after 15 s and calls the fallback URL (a duplicate).
TWILIO_WEBHOOK_LIMIT = 15


def sid(n: int) -> str:
    return f"SM{n:032x}"


@pytest.mark.django_db
def test_webhook_is_stored_and_answered_when_redis_refuses_connections(
    signed_post, service, agent, settings, refused_port, django_capture_on_commit_callbacks
):
    settings.CHANNEL_LAYERS = pubsub_layer(f"redis://127.0.0.1:{refused_port}/0")
    with django_capture_on_commit_callbacks(execute=True) as pushes:
        response = signed_post(INBOUND, load_payload("inbound_text"))
    assert pushes, "the webhook tried to push to the desk"
    assert response.status_code == 200 and b"<Response/>" in response.content
    message = Message.objects.get()
    assert message.interaction.agent == agent


@pytest.mark.django_db
def test_webhook_is_answered_well_within_twilios_limit_when_redis_hangs(
    signed_post, service, agent, settings, silent_port, django_capture_on_commit_callbacks, caplog
):
    """A frozen Redis accepts connections and never answers: pushes are bounded, then paused."""
    settings.CHANNEL_LAYERS = pubsub_layer(f"redis://127.0.0.1:{silent_port}/0")
    settings.OCC_PUSH_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    for n in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_post(
                INBOUND,
                load_payload(
                    "inbound_text", MessageSid=sid(n), SmsSid=sid(n), SmsMessageSid=sid(n)
                ),
            )
        assert response.status_code == 200
    elapsed = time.monotonic() - started
    assert Message.objects.count() == 3
    # Before pushes were bounded, one message took about 20 s here.
    assert elapsed < TWILIO_WEBHOOK_LIMIT / 3, (
        f"three webhooks took {elapsed:.1f} s with Redis frozen"
    )
    assert "desks will resync" in caplog.text


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_pushes_resume_after_redis_restarts_and_nothing_is_lost(
    signed_post, service, agent, settings, private_redis
):
    """Kill Redis while webhooks arrive, restart it: every message is stored, pushes flow again."""
    settings.CHANNEL_LAYERS = pubsub_layer(private_redis.url)
    settings.OCC_PUSH_PAUSE_SECONDS = 0

    def post(n: int):
        return signed_post(
            INBOUND,
            load_payload("inbound_text", MessageSid=sid(n), SmsSid=sid(n), SmsMessageSid=sid(n)),
        )

    async def desk_session():
        communicator = WebsocketCommunicator(DeskConsumer.as_asgi(), "/ws/desk/")
        communicator.scope["user"] = agent.user
        connected, _ = await communicator.connect()
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
        return communicator

    async def next_message_push(communicator, timeout=5.0):
        # receive_json_from's own timeout would stop the consumer: wait with receive_nothing.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if await communicator.receive_nothing(timeout=0.1):
                continue
            event = await communicator.receive_json_from()
            if event["type"] == "message.created":
                return event
        raise TimeoutError

    async def scenario():

        desk = await desk_session()
        assert (await sync_to_async(post)(1)).status_code == 200
        first = await next_message_push(desk)
        private_redis.kill()
        assert (await sync_to_async(post)(2)).status_code == 200, "accepted while Redis is down"
        private_redis.start()
        # redis-py reconnects and resubscribes the desk's groups on its next read.
        received = None
        for attempt in range(3, 30):
            assert (await sync_to_async(post)(attempt)).status_code == 200
            try:
                received = await next_message_push(desk, timeout=1.0)
                break
            except TimeoutError:
                continue
        await desk.disconnect()
        await sync_to_async(connections.close_all)()
        return first, received, attempt

    first, received, last = run_async(scenario)()
    assert first["message"]["body"].startswith("Buongiorno")
    assert received is not None, "pushes never resumed after Redis came back"
    stored = set(Message.objects.values_list("provider_id", flat=True))
    assert stored == {sid(n) for n in range(1, last + 1)}, "every webhook was stored exactly once"
    assert Interaction.objects.count() == 1


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not hasattr(DeskConsumer, "COMMANDS"), reason="the desk has no resync command yet"
)
def test_a_desk_gets_everything_it_missed_by_resyncing_after_redis_restarts(
    signed_post, service, agent, settings, private_redis
):
    """Messages that arrived while Redis was down reach the agent when the desk resynchronises: all, once."""
    settings.CHANNEL_LAYERS = pubsub_layer(private_redis.url)
    settings.OCC_PUSH_PAUSE_SECONDS = 0
    private_redis.kill()
    for n in range(40, 43):
        response = signed_post(
            INBOUND,
            load_payload(
                "inbound_text",
                MessageSid=sid(n),
                SmsSid=sid(n),
                SmsMessageSid=sid(n),
                Body=f"missed {n}",
            ),
        )
        assert response.status_code == 200
    private_redis.start()

    async def reconnect_and_resync():
        communicator = WebsocketCommunicator(DeskConsumer.as_asgi(), "/ws/desk/")
        communicator.scope["user"] = agent.user
        connected, _ = await communicator.connect()
        assert connected
        answers = {}
        for request_id, payload in (
            ("s", {"type": "sync"}),
            ("o", {"type": "open", "interaction_id": interaction_id}),
        ):
            await communicator.send_json_to({**payload, "request_id": request_id})
            for _ in range(40):
                if await communicator.receive_nothing(timeout=0.25):
                    continue
                event = await communicator.receive_json_from()
                if event.get("request_id") == request_id:
                    answers[request_id] = event
                    break
        await communicator.disconnect()
        await sync_to_async(connections.close_all)()
        return answers

    interaction_id = Interaction.objects.get().pk
    answers = run_async(reconnect_and_resync)()
    assert [i["id"] for i in answers["s"]["interactions"]] == [interaction_id]
    bodies = [m["body"] for part in answers["o"]["history"] for m in part["messages"]]
    assert bodies == ["missed 40", "missed 41", "missed 42"], "everything missed, in order, once"
