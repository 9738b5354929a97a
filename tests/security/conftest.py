"""A populated installation: two agents, a supervisor, an administrator, an interaction of each agent, a widget."""

from __future__ import annotations

import pytest

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import create_reply
from interactions.models import CloseReason, ContactAttribute, Label
from tests.conftest import CUSTOMER_NUMBER

XSS_NAME = '<script>alert("name")</script>'
XSS_BODY = '<img src=x onerror=alert("body")>'


@pytest.fixture
def world(chat_settings, service, make_agent, admin_user, settings, tmp_path, fake_twilio):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from desk import desk_files
    from widgets.models import Widget

    owner = make_agent("alex")
    other = make_agent("bea")
    # alex gets the first customer's interaction (both idle: lowest id first), bea the second.
    first = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address=CUSTOMER_NUMBER,
            provider_id="SM" + "a" * 32,
            body=XSS_BODY,
            name=XSS_NAME,
        ),
    ).interaction
    second = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address="+393339999999",
            provider_id="SM" + "b" * 32,
            body="Ciao",
            name="Other",
        ),
    ).interaction
    if first.agent_id != owner.pk:
        owner, other = other, owner
    # The reply carries two files the agent attached, so the desk's media URLs
    # (/desk/media/<message>/<index>/, index 1 as the discovery fills it in) lead somewhere.
    settings.OCC_MEDIA_ROOT = str(tmp_path)
    uploads = [
        desk_files.save_upload(
            SimpleUploadedFile(f"note{i}.txt", b"hello", content_type="text/plain")
        )
        for i in range(2)
    ]
    reply = create_reply(
        first.pk,
        sender=owner.user,
        body=XSS_BODY,
        attachments=desk_files.attachments_for(
            [{"token": u["token"], "name": u["name"]} for u in uploads]
        ),
    )
    # A customer's shared contact (vCard, second attachment as the discovery's index 1), served
    # by the fake Twilio: /desk/media/<message>/<index>/contact/ leads somewhere.
    from tests.conftest import ACCOUNT_SID

    card = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{'c' * 32}/Media/ME{'d' * 32}"
    fake_twilio.add_media(
        card, "text/vcard", b"BEGIN:VCARD\nVERSION:3.0\nFN:Mario\nTEL:+39333\nEND:VCARD\n"
    )
    vcard_message = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp",
            address=CUSTOMER_NUMBER,
            provider_id="MM" + "c" * 32,
            attachments=[
                {"url": settings.TWILIO_API_BASE_URL + card, "content_type": "text/vcard"},
                {"url": settings.TWILIO_API_BASE_URL + card, "content_type": "text/vcard"},
            ],
        ),
    ).message
    widget = Widget.objects.create(
        name=XSS_NAME,
        whatsapp_service=service,
        allowed_origins="https://shop.example",
        attribution_enabled=True,
    )
    from hooks.actions import create_endpoint

    # Inactive: its pages exist, and no event is queued for it while these tests run.
    webhook, _secret = create_endpoint(url="https://crm.example/occ-events", is_active=False)
    from agents.models import CannedResponse

    canned = CannedResponse.objects.create(shortcut="mine", body="Hi", owner=owner.user)
    shared_canned = CannedResponse.objects.create(shortcut="hello", body="Hello!")
    from django.contrib.auth import get_user_model

    from agents.roles import Role, set_role

    # A supervisor who only watches (no agent profile).
    supervisor = get_user_model().objects.create_user(username="sam", password="sup-pass-123")
    set_role(supervisor, Role.SUPERVISOR)
    return {
        "canned": canned,
        "shared_canned": shared_canned,
        "webhook": webhook,
        "admin": admin_user,
        "supervisor": supervisor,
        "owner": owner,
        "other": other,
        "interaction": first,
        "other_interaction": second,
        "message": reply,
        "vcard_message": vcard_message,
        "label": Label.objects.create(name="VIP"),
        "attribute": ContactAttribute.objects.create(key="customer_id", label="Customer id"),
        "close_reason": CloseReason.objects.create(name="Resolved"),
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
