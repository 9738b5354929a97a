"""Duplicate and reordered Twilio deliveries under concurrent load: each message once, statuses only forward.

Twilio may deliver a webhook twice (a retry, the fallback URL) and status
callbacks in any order. Threads post every webhook several times, shuffled,
at the same time, each on its own PostgreSQL connection.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from django.db import connections
from django.test import Client
from twilio.request_validator import RequestValidator

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.actions.outbound import create_reply
from interactions.models import Interaction, Message, MessageStatus
from tests.conftest import AUTH_TOKEN, load_payload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

INBOUND = "/whatsapp/twilio/inbound"
STATUS = "/whatsapp/twilio/status"
THREADS = 8


def post_all(requests: list[tuple[str, dict]]) -> list[int]:
    """POST signed form requests from THREADS threads at once; each thread uses its own connection."""

    def post(item):
        path, params = item
        signature = RequestValidator(AUTH_TOKEN).compute_signature(
            "http://testserver" + path, params
        )
        try:
            response = Client().post(
                path,
                data=urlencode(params),
                content_type="application/x-www-form-urlencoded",
                HTTP_X_TWILIO_SIGNATURE=signature,
            )
            return response.status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(post, requests))


def inbound(customer: int, n: int) -> dict:
    sid = f"SM{customer:04d}{n:028x}"
    return load_payload(
        "inbound_text",
        MessageSid=sid,
        SmsSid=sid,
        SmsMessageSid=sid,
        From=f"whatsapp:+3933300{customer:05d}",
        WaId=f"3933300{customer:05d}",
        Body=f"message {n} of customer {customer}",
    )


def test_each_inbound_message_is_stored_once_under_duplicate_shuffled_load(service, make_agent):
    make_agent("a1", max_interactions=3)
    make_agent("a2", max_interactions=3)
    payloads = [inbound(customer, n) for customer in range(6) for n in range(5)]
    deliveries = [(INBOUND, p) for p in payloads for _ in range(3)]
    random.Random(8).shuffle(deliveries)
    statuses = post_all(deliveries)
    assert set(statuses) == {200}
    assert Message.objects.count() == len(payloads)
    assert sorted(Message.objects.values_list("provider_id", flat=True)) == sorted(
        p["MessageSid"] for p in payloads
    )
    assert Interaction.objects.count() == 6, "one interaction per customer"
    held = Interaction.objects.filter(state="assigned").values_list("agent_id", flat=True)
    per_agent: dict[int, int] = {}
    for agent_id in held:
        per_agent[agent_id] = per_agent.get(agent_id, 0) + 1
    assert all(count <= 3 for count in per_agent.values()), "Max interactions held"
    assert Interaction.objects.filter(state="queued").count() == 0


def test_status_callbacks_in_any_order_and_repeated_only_move_forward(service, agent):
    contact = receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address="+393330000001", provider_id="SM" + "6" * 32, body="Hi"
        ),
    ).interaction
    replies = [create_reply(contact.pk, sender=agent.user, body=f"reply {n}") for n in range(10)]
    plans = {}
    requests = []
    for n, reply in enumerate(replies):
        sid = f"SM{n:032x}"
        # Half the replies end read; the others fail on the way (undelivered with a code).
        plan = (
            ["queued", "sent", "delivered", "read"]
            if n % 2 == 0
            else ["queued", "sent", "undelivered", "delivered"]
        )
        plans[reply.pk] = plan
        for status in plan * 2:
            params = {
                "MessageSid": sid,
                "SmsSid": sid,
                "MessageStatus": status,
                "AccountSid": "AC" + "0" * 32,
            }
            if status == "undelivered":
                params["ErrorCode"] = "30008"
            requests.append((f"{STATUS}?m={reply.pk}", params))
    random.Random(3).shuffle(requests)
    assert set(post_all(requests)) == {200}
    for reply in replies:
        reply.refresh_from_db()
        if "read" in plans[reply.pk]:
            assert reply.status == MessageStatus.READ
        else:
            assert reply.status == MessageStatus.UNDELIVERED and reply.error_code == "30008"
    assert len({r.provider_id for r in replies}) == len(replies)
