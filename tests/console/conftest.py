"""Fixtures of the console tests: a signed-in agent, HTML helpers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The console tests log in and set passwords often; the real hasher is slow by design.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


def field_block(html: str, name: str) -> str:
    """The HTML of one form field's block (label, input, help and errors)."""
    match = re.search(rf'<div class="field[^"]*" id="field-{name}">(.*?)\n</div>', html, re.S)
    assert match, f"field {name} not on the page"
    return match.group(1)


def field_errors(html: str, name: str) -> str:
    """The text of the error list rendered next to one field ('' when none)."""
    block = field_block(html, name)
    match = re.search(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', block, re.S)
    return re.sub(r"<[^>]+>", " ", match.group(1)).strip() if match else ""


@pytest.fixture
def console_urls(service, agent, fake_twilio):
    from widgets.models import Widget

    widget = Widget.objects.create(name="Website", whatsapp_service=service)
    """Every GET page of the console, with real objects behind the ids.

    The fake Twilio stands in for any page that asks Twilio while rendering
    (the health check), so no test reaches the internet.
    """
    return [
        reverse("console_home"),
        reverse("advanced_settings:chat_channel"),
        reverse("services:list"),
        reverse("services:create"),
        reverse("services:edit", args=[service.pk]),
        reverse("agents:user_list"),
        reverse("agents:user_create"),
        reverse("agents:user_edit", args=[agent.user.pk]),
        reverse("whatsapp:health", args=[service.pk]),
        reverse("widgets:list"),
        reverse("widgets:create"),
        reverse("widgets:edit", args=[widget.pk]),
        reverse("audit:log"),
        reverse("wrapup:labels"),
        reverse("wrapup:label_create"),
        reverse("wrapup:close_reasons"),
        reverse("wrapup:close_reason_create"),
        reverse("reports:index"),
    ]
