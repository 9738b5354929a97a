"""Fixtures of the API tests: clients per role, interactions made through the real actions."""

from __future__ import annotations

import itertools

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from hooks.outbox import forget_endpoints
from interactions.actions.inbound import InboundMessage, receive_inbound
from tests.conftest import CUSTOMER_NUMBER

_sids = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are made in most tests; the production hasher's cost buys nothing here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_failure_counts():
    cache.clear()
    yield
    cache.clear()
    # Webhooks made here vanish with the test's transaction, without signals.
    forget_endpoints()


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def admin_api(admin_user):
    return token_client(admin_user)


@pytest.fixture
def agent_api(agent):
    return token_client(agent.user)


@pytest.fixture
def other_agent(make_agent):
    return make_agent("bea")


@pytest.fixture
def other_agent_api(other_agent):
    return token_client(other_agent.user)


@pytest.fixture
def inbound(service):
    """inbound(number=..., body=...) → the interaction the customer's message lands in."""

    def send(number: str = CUSTOMER_NUMBER, body: str = "Hello", *, to_service=None):
        result = receive_inbound(
            to_service or service,
            InboundMessage(
                channel="whatsapp",
                address=number,
                provider_id=f"SM{next(_sids):032x}",
                body=body,
                name="Carla",
            ),
        )
        result.interaction.refresh_from_db()
        return result.interaction

    return send


def errors_of(response) -> dict:
    """The field-level errors of a 400 answer."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return body["errors"]
