"""The sandbox's one FakeTwilio, kept in step with the configured account and services."""

from __future__ import annotations

import threading

from whatsapp.fake_twilio import FakeTwilio

_lock = threading.Lock()
_fake: FakeTwilio | None = None
# What the simulated phones sent (the customer's side), newest last.
phone_log: list[dict] = []


def fake() -> FakeTwilio:
    """The process's sandbox Twilio; it knows the demo account and sender from the start."""
    global _fake
    with _lock:
        if _fake is None:
            from django.conf import settings

            from whatsapp.sandbox.demo import (
                DEMO_ACCOUNT_SID,
                DEMO_AUTH_TOKEN,
                DEMO_SERVICE_NUMBER,
                DEMO_TEMPLATES,
            )

            # Statuses arrive a little apart, as on a real phone, so the desk shows each.
            _fake = FakeTwilio(callback_statuses=("sent", "delivered", "read"), callback_delay=0.4)
            _fake.add_account(DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, friendly_name="OCC sandbox")
            _fake.add_sender(DEMO_ACCOUNT_SID, DEMO_SERVICE_NUMBER)
            _fake.content_base_url = settings.TWILIO_CONTENT_BASE_URL
            for template in DEMO_TEMPLATES:
                template = dict(template)
                _fake.add_content(
                    DEMO_ACCOUNT_SID,
                    template.pop("friendly_name"),
                    template.pop("types"),
                    **template,
                )
        return _fake


def pool_number(messaging_service_sid: str) -> str:
    """The sandbox's WhatsApp sender for a Messaging Service of a service without its own number."""
    return "+1500555" + f"{int(messaging_service_sid[-4:], 16) % 10000:04d}"


def sync_with_configuration() -> FakeTwilio:
    """Teach the fake whatever account, service numbers and Messaging Services are configured now
    (database reads). Its senders and Messaging Services call this installation's inbound URL, as a
    Twilio account set up by the console's instructions does."""
    from services.models import Service
    from settings.models import ChatChannelSettings
    from whatsapp.fake_twilio import FakeMessagingService
    from whatsapp.urls_public import inbound_webhook_url

    twilio = fake()
    config = ChatChannelSettings.load()
    if config.account_sid and config.has_auth_token:
        token = config.get_auth_token()
        account = twilio.accounts.get(config.account_sid)
        if account is None:
            twilio.add_account(config.account_sid, token, friendly_name="OCC sandbox")
            # Another account configured by hand gets the demo templates too.
            from whatsapp.sandbox.demo import DEMO_ACCOUNT_SID

            twilio.contents.setdefault(
                config.account_sid, list(twilio.contents.get(DEMO_ACCOUNT_SID, []))
            )
        elif account.auth_token != token:
            account.auth_token = token
        known = {s.sender_id for s in twilio.senders.get(config.account_sid, [])}
        for number, sid in Service.objects.values_list("twilio_number", "messaging_service_sid"):
            number = number or (pool_number(sid) if sid else "")
            if number and f"whatsapp:{number}" not in known:
                twilio.add_sender(config.account_sid, number)
                known.add(f"whatsapp:{number}")
            if sid and sid not in twilio.messaging_services:
                twilio.messaging_services[sid] = FakeMessagingService(
                    account_sid=config.account_sid,
                    friendly_name="OCC sandbox",
                    senders=[f"whatsapp:{number}"],
                    inbound_request_url=inbound_webhook_url(),
                    sid=sid,
                )
        for sender in twilio.senders.get(config.account_sid, []):
            if not sender.callback_url:
                sender.callback_url = inbound_webhook_url()
    return twilio


def reset() -> None:
    """Forget everything (tests)."""
    global _fake
    with _lock:
        _fake = None
        phone_log.clear()
