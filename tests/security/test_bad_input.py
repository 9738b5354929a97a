"""Bad input on every public endpoint: a clear 4xx or an accepted message, never a 5xx.

Hypothesis posts arbitrary forms to Twilio's webhooks (correctly signed, so
the parser and the database see them) and to the log-in page; fixed cases
cover oversized bodies, invalid UTF-8, missing fields, huge attachment
counts, numbers that are not E.164 and markup in names and bodies.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from interactions.models import Contact, Message
from tests.conftest import AUTH_TOKEN, load_payload
from tests.fuzz import as_sent, form_bytes, hostile_text
from tests.security.conftest import XSS_BODY, XSS_NAME
from tests.security.urlconf import endpoints

pytestmark = pytest.mark.django_db

INBOUND = "/whatsapp/twilio/inbound"
STATUS = "/whatsapp/twilio/status"
FUZZ = hsettings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TWILIO_FIELDS = [
    "MessageSid",
    "SmsSid",
    "SmsMessageSid",
    "AccountSid",
    "From",
    "To",
    "Body",
    "NumMedia",
    "NumSegments",
    "ProfileName",
    "WaId",
    "MediaUrl0",
    "MediaContentType0",
    "MediaUrl1",
    "MessageStatus",
    "ErrorCode",
    "ErrorMessage",
    "Latitude",
    "Longitude",
    "ButtonPayload",
    "ReferralBody",
    "SmsStatus",
]
# Lone surrogates, control characters and CR/LF included (tests.fuzz).
text = hostile_text(60)
field_values = st.one_of(
    text,
    st.sampled_from(
        [
            "",
            "whatsapp:+390212345678",
            "whatsapp:+393331234567",
            "+390212345678",
            "whatsapp:+0",
            "-1",
            "21",
            "1e9",
            "SM" + "f" * 32,
            "MM" + "e" * 32,
            "https://api.twilio.com/x",
            "javascript:alert(1)",
            "delivered",
            "read",
        ]
    ),
)
forms = st.dictionaries(
    st.one_of(st.sampled_from(TWILIO_FIELDS), hostile_text(12, min_size=1)),
    field_values,
    max_size=14,
)


def signed(client: Client, path: str, params: dict):
    # Signed over what the server decodes (a lone surrogate arrives as U+FFFD), as Twilio signs what it sends.
    received = {as_sent(k): as_sent(v) for k, v in params.items()}
    signature = RequestValidator(AUTH_TOKEN).compute_signature("http://testserver" + path, received)
    return client.post(
        path,
        data=form_bytes(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )


@FUZZ
@given(form=forms)
def test_signed_arbitrary_inbound_forms_never_cause_a_server_error(service, agent, form):
    response = signed(Client(), INBOUND, form)
    assert response.status_code in {200, 400}, (response.status_code, form)


@FUZZ
@given(form=forms)
def test_signed_arbitrary_status_callbacks_never_cause_a_server_error(service, agent, form):
    response = signed(Client(), STATUS + "?m=1", form)
    assert response.status_code in {200, 400}, (response.status_code, form)


@FUZZ
@given(fields=forms, real=st.dictionaries(st.sampled_from(TWILIO_FIELDS), field_values, max_size=6))
def test_a_real_webhook_with_mangled_fields_is_stored_or_refused_cleanly(
    service, agent, fields, real
):
    payload = {**load_payload("inbound_text"), **real, **fields}
    response = signed(Client(), INBOUND, payload)
    assert response.status_code in {200, 400}


@FUZZ
@given(
    username=hostile_text(200),
    password=hostile_text(200),
    extra=st.dictionaries(hostile_text(8), hostile_text(20), max_size=3),
)
def test_the_login_page_takes_any_input(agent, username, password, extra):
    body = form_bytes({**extra, "username": username, "password": password})
    response = Client().post(
        "/accounts/login/", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in {200, 302, 400}


def test_a_log_in_with_nul_characters_is_a_form_error(agent):
    """Found by the fuzzer on PostgreSQL: the throttle's count queried the raw username."""
    response = Client().post("/accounts/login/", {"username": "al\x00ex", "password": "x\x00"})
    assert response.status_code == 200 and "_auth_user_id" not in Client().session


@FUZZ
@given(body=st.binary(max_size=300), path=st.sampled_from([INBOUND, STATUS, "/accounts/login/"]))
def test_unsigned_garbage_is_refused_without_a_server_error(service, body, path):
    response = Client().post(path, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {200, 400, 403}
    if path != "/accounts/login/":
        assert response.status_code == 403


def test_every_public_endpoint_survives_garbage(world):
    public = [e for e in endpoints(world) if e.is_public]
    assert public
    garbage = [b"\xff\xfe\x00\x01", b"a=%ZZ&&&==", b"x" * 5000, b"%00=%00"]
    for endpoint in public:
        for body in garbage:
            for content_type in (
                "application/x-www-form-urlencoded",
                "application/json",
                "multipart/form-data; boundary=xx",
            ):
                response = Client().post(endpoint.url, data=body, content_type=content_type)
                assert response.status_code < 500, (
                    endpoint.url,
                    body[:20],
                    content_type,
                    response.status_code,
                )
            assert Client().get(endpoint.url, {"q": body.decode("latin-1")}).status_code < 500


def test_an_oversized_body_is_a_400_and_stores_nothing(service, agent, settings):
    payload = load_payload("inbound_text", Body="x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    response = signed(Client(), INBOUND, payload)
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_too_many_fields_is_a_400(service, agent):
    payload = load_payload("inbound_text", **{f"Extra{n}": "x" for n in range(1200)})
    assert signed(Client(), INBOUND, payload).status_code == 400
    assert not Message.objects.exists()


def test_a_body_longer_than_whatsapp_allows_is_refused_or_kept_whole(service, agent):
    response = signed(Client(), INBOUND, load_payload("inbound_text", Body="y" * 5000))
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert Message.objects.get().payload["Body"] == "y" * 5000, "nothing cut silently"


def test_invalid_utf8_is_stored_with_replacement_characters(service, agent):
    raw = urlencode(load_payload("inbound_text", Body="PLACEHOLDER")).replace(
        "PLACEHOLDER", "caf%E9%FF"
    )
    # Twilio signs what it sends; the server reads undecodable bytes as U+FFFD, and so does this signature.
    from django.http import QueryDict

    params = {k: v for k, v in QueryDict(raw, encoding="utf-8").items()}
    signature = RequestValidator(AUTH_TOKEN).compute_signature(
        "http://testserver" + INBOUND, params
    )
    response = Client().post(
        INBOUND,
        data=raw,
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=signature,
    )
    assert response.status_code == 200
    assert Message.objects.get().body == "caf\ufffd\ufffd"


def test_nul_characters_are_refused_or_kept_never_a_server_error(service, agent):
    response = signed(
        Client(), INBOUND, load_payload("inbound_text", Body="a\x00b", ProfileName="N\x00")
    )
    assert response.status_code in {200, 400}


@pytest.mark.parametrize("count", [21, 100, 10_000, -1, "many"])
def test_absurd_attachment_counts_never_crash_or_invent_attachments(service, agent, count):
    response = signed(Client(), INBOUND, load_payload("inbound_text", NumMedia=str(count)))
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert Message.objects.get().attachments == []


def test_a_thousand_media_fields_are_bounded_and_kept_in_the_payload(service, agent):
    media = {f"MediaUrl{n}": f"https://api.twilio.com/m/{n}" for n in range(1000)}
    response = signed(Client(), INBOUND, load_payload("inbound_text", NumMedia="1000", **media))
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        message = Message.objects.get()
        assert len(message.attachments) <= 20
        assert message.payload["MediaUrl999"] == "https://api.twilio.com/m/999"


def test_twenty_attachments_are_all_kept(service, agent):
    media = {
        f"MediaUrl{n}": f"https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME{n}"
        for n in range(20)
    }
    media.update({f"MediaContentType{n}": "image/jpeg" for n in range(20)})
    response = signed(Client(), INBOUND, load_payload("inbound_text", NumMedia="20", **media))
    assert response.status_code == 200
    assert len(Message.objects.get().attachments) == 20


def test_missing_media_urls_lose_no_attachment_that_came(service, agent):
    response = signed(
        Client(), INBOUND, load_payload("inbound_text", NumMedia="2", MediaUrl0="https://x.test/a")
    )
    assert response.status_code in {200, 400}
    if response.status_code == 200:
        assert [a["url"] for a in Message.objects.get().attachments] == ["https://x.test/a"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("From", "whatsapp:12345"),
        ("From", "whatsapp:+0039333"),
        ("From", "+393331234567"),
        ("From", "whatsapp:+39abc"),
        ("From", "whatsapp:+1234567890123456"),
        ("To", "whatsapp:"),
        ("MessageSid", "not-a-sid"),
        ("MessageSid", ""),
    ],
)
def test_malformed_numbers_and_ids_are_a_clear_400(service, agent, field, value):
    payload = load_payload("inbound_text", **{field: value})
    if field == "MessageSid":
        payload.update(SmsSid=value, SmsMessageSid=value)
    response = signed(Client(), INBOUND, payload)
    assert response.status_code == 400 and response.content
    assert not Message.objects.exists()


@pytest.mark.parametrize("missing", ["From", "To", "MessageSid"])
def test_missing_fields_are_a_clear_400(service, agent, missing):
    payload = load_payload("inbound_text")
    for name in {missing, "SmsSid", "SmsMessageSid"} if missing == "MessageSid" else {missing}:
        payload.pop(name, None)
    assert signed(Client(), INBOUND, payload).status_code == 400


def test_markup_in_names_and_bodies_is_escaped_on_every_page(world):
    """Customer-controlled text (WhatsApp ProfileName, message bodies) and names typed in the console."""
    assert Contact.objects.filter(name=XSS_NAME).exists()
    pages = {}
    for user in (world["admin"], world["owner"].user):
        client = Client()
        client.force_login(user)
        for endpoint in endpoints(world):
            if endpoint.name == "logout":
                continue
            response = client.get(endpoint.url)
            if response.status_code == 200 and not response.streaming:
                pages[(user.username, endpoint.url)] = response.content.decode(errors="replace")
    assert pages
    for where, html in pages.items():
        assert XSS_NAME not in html and XSS_BODY not in html, f"unescaped markup on {where}"
    widget_page = pages[("ada", "/settings/widgets/")]
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;" in widget_page
