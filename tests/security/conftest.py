"""A populated installation: two agents, an administrator, an interaction of each agent, a widget."""

from __future__ import annotations

import pytest

from interactions import actions
from tests.conftest import CUSTOMER_NUMBER

XSS_NAME = '<script>alert("name")</script>'
XSS_BODY = '<img src=x onerror=alert("body")>'


@pytest.fixture
def world(chat_settings, service, make_agent, admin_user):
    from widgets.models import Widget

    owner = make_agent("alex")
    other = make_agent("bea")
    # alex gets the first customer's interaction (both idle: lowest id first), bea the second.
    first = actions.receive_inbound(
        service,
        actions.InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "a" * 32, body=XSS_BODY, name=XSS_NAME
        ),
    ).interaction
    second = actions.receive_inbound(
        service,
        actions.InboundMessage(channel="whatsapp", address="+393339999999", provider_id="SM" + "b" * 32, body="Ciao", name="Other"),
    ).interaction
    if first.agent_id != owner.pk:
        owner, other = other, owner
    reply = actions.create_reply(first.pk, sender=owner.user, body=XSS_BODY)
    widget = Widget.objects.create(name=XSS_NAME, whatsapp_service=service)
    return {
        "admin": admin_user,
        "owner": owner,
        "other": other,
        "interaction": first,
        "other_interaction": second,
        "message": reply,
        "contact": first.contact,
        "service": service,
        "widget": widget,
        "agent": owner,
        "profile": owner,
        "user": owner.user,
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """These tests create many users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
