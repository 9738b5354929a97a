"""Desk test helpers: WebSocket tabs through the real ASGI stack (origin check, session auth)."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client

from interactions.actions.inbound import InboundMessage, receive_inbound
from tests.conftest import CUSTOMER_NUMBER

TIMEOUT = 5


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


class Tab:
    """One desk tab: a WebSocket through occ.asgi.application, logged in as `user` (None: anonymous)."""

    def __init__(self, user=None):
        self.user = user
        self.communicator = None
        self.seen: list[dict] = []
        self.backlog: list[dict] = []

    async def connect(self):
        from channels.db import database_sync_to_async

        from occ.asgi import application

        headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
        if self.user is not None:
            headers.append((b"cookie", await database_sync_to_async(session_cookie)(self.user)))
        self.communicator = WebsocketCommunicator(application, "/ws/desk/", headers=headers)
        return await self.communicator.connect(timeout=TIMEOUT)

    async def open(self) -> dict:
        connected, _ = await self.connect()
        assert connected
        return await self.receive()

    async def send(self, command: dict) -> None:
        await self.communicator.send_json_to(command)

    async def receive(self) -> dict:
        event = await self.communicator.receive_json_from(timeout=TIMEOUT)
        self.seen.append(event)
        return event

    async def receive_until(self, kind: str, **match) -> dict:
        """The first event of `kind` (matching the given fields), in arrival order.

        Events that do not match are kept for later calls: a command's
        answer and the pushes it causes travel separately and may arrive in
        either order.
        """

        def matches(event):
            return event.get("type") == kind and all(
                _field(event, k) == v for k, v in match.items()
            )

        for index, event in enumerate(self.backlog):
            if matches(event):
                return self.backlog.pop(index)
        while True:
            event = await self.receive()
            if matches(event):
                return event
            self.backlog.append(event)

    async def command(self, command: dict, answer: str) -> dict:
        await self.send(command)
        return await self.receive_until(answer)

    async def nothing_more(self) -> bool:
        return await self.communicator.receive_nothing(timeout=0.3)

    async def close(self) -> None:
        await self.communicator.disconnect()


def _field(event: dict, path: str):
    value = event
    for part in path.split("__"):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def inbound(
    service,
    *,
    provider_id: str,
    body: str = "Hello",
    address: str = CUSTOMER_NUMBER,
    name: str = "Maria",
):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=address, provider_id=provider_id, body=body, name=name
        ),
    )


ainbound = database_sync_to_async(inbound)


def run(coroutine_function):
    """Run an async scenario from a sync test (ORM calls inside go through database_sync_to_async)."""
    from asgiref.sync import async_to_sync

    return async_to_sync(coroutine_function)()
