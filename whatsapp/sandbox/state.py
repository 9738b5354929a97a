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


def sync_with_configuration() -> FakeTwilio:
    """Teach the fake whatever account and service numbers are configured now (database reads)."""
    from services.models import Service
    from settings.models import ChatChannelSettings

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
        for number in (
            Service.objects.exclude(twilio_number__isnull=True)
            .exclude(twilio_number="")
            .values_list("twilio_number", flat=True)
        ):
            if number and f"whatsapp:{number}" not in known:
                twilio.add_sender(config.account_sid, number)
    return twilio


def reset() -> None:
    """Forget everything (tests)."""
    global _fake
    with _lock:
        _fake = None
        phone_log.clear()
