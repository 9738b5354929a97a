"""Helpers of the routing tests: customers' messages handed to receive_inbound."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from tests.whatsapp.conftest import outbound_message  # noqa: F401  (a fixture)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
_sids = itertools.count(1)


def sid() -> str:
    return "SM" + f"{next(_sids):032x}"


def customer(n: int) -> str:
    return f"+39333000{n:04d}"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sent(monkeypatch):
    """Every push handed to the channel layer: (groups, event)."""
    from interactions import notify

    pushes = []
    monkeypatch.setattr(notify, "send_now", lambda groups, event: pushes.append((groups, event)))
    return pushes


@pytest.fixture
def receive(service):
    """receive(n, minute=0, body=..., to=service): customer n writes at T0 + minute."""
    from interactions.actions.inbound import InboundMessage, receive_inbound

    def send(n: int, minute: float = 0, *, body: str = "hello", to=None, name: str = ""):
        return receive_inbound(
            to or service,
            InboundMessage(
                channel="whatsapp", address=customer(n), provider_id=sid(), body=body, name=name
            ),
            now=T0 + timedelta(minutes=minute),
        )

    return send
