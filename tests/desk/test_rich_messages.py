"""Rich inbound messages as the desk gets them: quoted replies resolved, shared contacts read as data."""

from __future__ import annotations

import pytest

from desk import vcard
from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.payloads import message_dict
from tests.conftest import CUSTOMER_NUMBER

pytestmark = pytest.mark.django_db


def receive(service, sid, *, address=CUSTOMER_NUMBER, body="", extras=None):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=address, provider_id=sid, body=body, extras=extras or {}
        ),
    ).message


def test_a_quoted_reply_carries_the_original_or_says_it_is_not_in_occ(agent, service):
    original = receive(service, "SM" + "1" * 32, body="Where is my parcel?")
    reply = receive(
        service,
        "SM" + "2" * 32,
        body="This",
        extras={"reply_to": {"message_sid": original.provider_id}},
    )
    unknown = receive(
        service, "SM" + "3" * 32, body="?", extras={"reply_to": {"message_sid": "SM" + "9" * 32}}
    )
    assert message_dict(reply)["quoted"] == {
        "found": True,
        "id": original.pk,
        "direction": "in",
        "body": "Where is my parcel?",
        "attachments": 0,
        "template_id": "",
    }
    assert message_dict(unknown)["quoted"] == {"found": False}
    assert message_dict(original)["quoted"] is None


def test_a_quote_never_shows_another_customers_message(agent, service):
    other = receive(service, "SM" + "4" * 32, address="+393339990000", body="Private of another")
    mine = receive(
        service, "SM" + "5" * 32, body="x", extras={"reply_to": {"message_sid": other.provider_id}}
    )
    assert message_dict(mine)["quoted"] == {"found": False}


def test_a_vcard_becomes_names_and_numbers_only():
    data = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Rossi;Mario;;;\r\nFN:Mario\r\n  Rossi\r\n"
        b"TEL;type=CELL:+39 333 123 4567\r\nitem1.TEL:+39 02 1234\r\nEMAIL:mario@example.com\r\n"
        b"PHOTO;ENCODING=b:<script>alert(1)</script>\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nN:Bianchi;Anna\r\nEND:VCARD\r\n"
    )
    assert vcard.parse(data) == [
        {
            "name": "Mario Rossi",
            "numbers": ["+39 333 123 4567", "+39 02 1234"],
            "emails": ["mario@example.com"],
        },
        {"name": "Anna Bianchi", "numbers": [], "emails": []},
    ]
    assert vcard.parse(b"\xff\xfe not a card") == []
    assert vcard.is_vcard("text/x-vcard") and not vcard.is_vcard("text/html")
