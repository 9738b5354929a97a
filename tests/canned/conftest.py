"""Fixtures of the canned-response and private-note tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from hooks.outbox import forget_endpoints


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    yield
    cache.clear()
    forget_endpoints()


@pytest.fixture
def supervisor(django_user_model):
    """A supervisor (agents.roles.is_supervisor); not a superuser."""
    return django_user_model.objects.create_user(
        username="sue", password="sup-pass-123", first_name="Sue", is_staff=True
    )


from tests.api.conftest import inbound  # noqa: E402,F401  (the customer-writes fixture)
from tests.hooks.conftest import endpoint, receiver  # noqa: E402,F401  (a real webhook receiver)
