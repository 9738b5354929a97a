"""Malformed fields never cause a 500: property-based tests of the parser and the views."""

from __future__ import annotations

import json

import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from interactions.models import Message
from tests.conftest import AUTH_TOKEN, load_payload
from tests.fuzz import as_sent, form_bytes, hostile_text
from tests.whatsapp.conftest import INBOUND, STATUS
from whatsapp.parsing import InvalidWebhook, parse_inbound, parse_status

FIELDS = [
    "MessageSid",
    "SmsSid",
    "SmsMessageSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "ProfileName",
    "WaId",
    "MediaUrl0",
    "MediaContentType0",
    "MediaUrl1",
    "MediaUrl999",
    "Latitude",
    "Longitude",
    "Address",
    "Label",
    "ButtonPayload",
    "ButtonText",
    "ReferralHeadline",
    "ReferralSourceUrl",
    "MessageStatus",
    "ErrorCode",
    "OccHealthCheck",
    "Unknown",
]
# Lone surrogates and control characters included: the parser keeps them storable (occ.lib.text.clean_text).
text = hostile_text(60)
numberish = st.one_of(text, st.integers(-(10**30), 10**30).map(str), st.floats().map(str))
field_values = st.one_of(
    text,
    numberish,
    st.sampled_from(
        ["whatsapp:+393331234567", "whatsapp:+0", "+39", "SM" + "a" * 32, "https://x.example/m"]
    ),
)


def as_querydict(fields: dict) -> QueryDict:
    """The fields as request.POST holds them, lone surrogates kept (the parser must cope with any str)."""
    form = QueryDict(mutable=True)
    for key, value in fields.items():
        form.setlist(key, value if isinstance(value, list) else [value])
    return form


def as_received(fields: dict) -> QueryDict:
    """The fields as the server decodes them from UTF-8 bytes (what it signs against)."""
    return as_querydict(
        {
            as_sent(k): [as_sent(v) for v in (vs if isinstance(vs, list) else [vs])]
            for k, vs in fields.items()
        }
    )


def body_of(fields: dict) -> bytes:
    pairs = [(k, v) for k, vs in fields.items() for v in (vs if isinstance(vs, list) else [vs])]
    return b"&".join(form_bytes({k: v}) for k, v in pairs)


mutations = st.dictionaries(
    st.sampled_from(FIELDS), st.one_of(field_values, st.lists(field_values, max_size=3)), max_size=8
)


@settings(max_examples=150, deadline=None)
@given(mutations, st.booleans())
def test_parser_accepts_or_refuses_clearly(changes, start_from_real):
    fields = load_payload("inbound_three_media") if start_from_real else {}
    fields.update(changes)
    try:
        parsed = parse_inbound(as_querydict(fields))
    except InvalidWebhook as exc:
        assert str(exc)
        return
    assert parsed.from_number.startswith("+") and parsed.to_number.startswith("+")
    assert all(a["url"].lower().startswith(("http://", "https://")) for a in parsed.attachments)
    assert "\x00" not in parsed.body
    json.dumps(parsed.payload, ensure_ascii=False).encode("utf-8")  # storable: no lone surrogate
    parsed.body.encode("utf-8")
    location = parsed.extras.get("location", {})
    assert -90 <= location.get("latitude", 0) <= 90 and -180 <= location.get("longitude", 0) <= 180


@settings(max_examples=80, deadline=None)
@given(mutations)
def test_status_parser_accepts_or_refuses_clearly(changes):
    fields = load_payload("status_failed")
    fields.update(changes)
    try:
        parsed = parse_status(as_querydict(fields))
    except InvalidWebhook:
        return
    assert parsed.status and len(parsed.error_code) <= 16


@pytest.mark.parametrize(
    "changes",
    [
        {"NumMedia": "many"},
        {"NumMedia": "-3"},
        {"NumMedia": "99999999999999999999"},
        {"NumMedia": "3", "MediaUrl1": "not a url"},
        {"Latitude": "north", "Longitude": "nan"},
        {"Body": "x" * 20000},
    ],
)
def test_odd_fields_keep_the_message(changes):
    parsed = parse_inbound(as_querydict({**load_payload("inbound_three_media"), **changes}))
    assert parsed.message_sid.startswith("MM")
    assert parsed.payload["NumMedia"] == changes.get("NumMedia", "3")


def test_attachments_come_from_the_fields_even_if_num_media_lies():
    fields = {**load_payload("inbound_three_media"), "NumMedia": "1"}
    assert len(parse_inbound(as_querydict(fields)).attachments) == 3


@pytest.mark.parametrize("missing", ["From", "To"])
def test_without_sender_or_receiver_the_webhook_is_refused(missing):
    fields = load_payload("inbound_text")
    del fields[missing]
    with pytest.raises(InvalidWebhook):
        parse_inbound(as_querydict(fields))


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=mutations, path=st.sampled_from([INBOUND, STATUS]))
def test_signed_malformed_webhooks_never_cause_a_server_error(
    client, service, agent, changes, path
):
    fields = load_payload("inbound_text" if path == INBOUND else "status_failed")
    fields.update(changes)
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "http://testserver" + path, as_received(fields)
    )
    before = Message.objects.filter(direction="in").count()
    response = client.post(
        path,
        data=body_of(fields),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code in (200, 400)
    stored = Message.objects.filter(direction="in").count() - before
    # Refused: nothing stored. Accepted: at most the one message.
    assert stored == 0 if response.status_code == 400 else stored in (0, 1)
    if stored:
        assert response.content.endswith(b"<Response/>")


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.binary(max_size=200),
    signature=st.text(max_size=40),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json",
            "text/plain",
        ]
    ),
)
def test_garbage_requests_are_refused_without_a_server_error(
    client, service, body, signature, content_type
):
    response = client.post(
        INBOUND, data=body, content_type=content_type, HTTP_X_TWILIO_SIGNATURE=signature
    )
    assert response.status_code in (400, 403)
    assert not Message.objects.exists()
