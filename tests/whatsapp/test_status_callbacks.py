"""Status callbacks move an outbound message forward only, whatever order they arrive in."""

from __future__ import annotations

import itertools

import pytest

from tests.conftest import load_payload
from tests.whatsapp.conftest import OUTBOUND_SID, STATUS

pytestmark = pytest.mark.django_db


def post_statuses(signed_post, names, path=STATUS):
    for name in names:
        assert signed_post(path, load_payload(name)).status_code == 200


@pytest.mark.parametrize(
    "order", list(itertools.permutations(["status_sent", "status_delivered", "status_read"]))
)
def test_read_wins_whatever_the_order(signed_post, outbound_message, order):
    post_statuses(signed_post, order)
    outbound_message.refresh_from_db()
    assert outbound_message.status == "read"


def test_late_sent_does_not_undo_delivered(signed_post, outbound_message):
    post_statuses(signed_post, ["status_delivered", "status_sent"])
    outbound_message.refresh_from_db()
    assert outbound_message.status == "delivered"


def test_failed_keeps_the_error_code_and_twilios_words(signed_post, outbound_message):
    post_statuses(signed_post, ["status_sent", "status_failed", "status_delivered"])
    outbound_message.refresh_from_db()
    assert outbound_message.status == "failed"
    assert outbound_message.error_code == "63016"
    assert "outside the allowed window" in outbound_message.error_message


def test_undelivered_keeps_the_error_code(signed_post, outbound_message):
    post_statuses(signed_post, ["status_undelivered", "status_read"])
    outbound_message.refresh_from_db()
    assert (outbound_message.status, outbound_message.error_code) == ("undelivered", "63024")


def test_callback_found_by_our_id_before_the_sid_is_known(signed_post, outbound_message):
    outbound_message.provider_id = None
    outbound_message.save()
    post_statuses(signed_post, ["status_sent"], path=f"{STATUS}?m={outbound_message.pk}")
    outbound_message.refresh_from_db()
    assert (outbound_message.status, outbound_message.provider_id) == ("sent", OUTBOUND_SID)


def test_callback_for_an_unknown_message_is_answered_and_changes_nothing(
    signed_post, outbound_message
):
    assert (
        signed_post(
            STATUS, load_payload("status_read", MessageSid="SM" + "9" * 32, SmsSid="SM" + "9" * 32)
        ).status_code
        == 200
    )
    outbound_message.refresh_from_db()
    assert outbound_message.status == "queued"


def test_callback_cannot_touch_an_inbound_message(signed_post, service, agent):
    from tests.whatsapp.conftest import INBOUND

    payload = load_payload("inbound_text")
    signed_post(INBOUND, payload)
    sid = payload["MessageSid"]
    signed_post(STATUS, load_payload("status_failed", MessageSid=sid, SmsSid=sid))
    from interactions.models import Message

    assert Message.objects.get().status == "received"
