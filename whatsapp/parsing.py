"""Twilio's WhatsApp webhook fields, parsed into what the core needs.

Pure functions over the POSTed form: no database, so they are tested (also
with hypothesis) on any input. Twilio adds fields without notice: every
field is kept in the payload, known or not.

Only what makes a message impossible to store is refused (no MessageSid,
no sender or receiving number): everything else is kept as well as it can
be, because a signed webhook from Twilio that we refuse is a message lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from occ.lib.phone import normalize_e164
from occ.lib.text import clean_text

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
_MESSAGING_SERVICE = re.compile(r"^MG[0-9a-fA-F]{32}\Z")
_NONCE = re.compile(r"^[0-9A-Za-z_-]{1,64}\Z")
_MEDIA_URL_KEY = re.compile(r"^MediaUrl(\d{1,3})$")
# Twilio sends at most 10 media per message (WhatsApp: one); anything beyond
# a generous bound is not a Twilio webhook and is not worth iterating over.
MAX_MEDIA = 20
# Fields are cut to what the columns and the desk can hold; the untouched
# values stay in the payload.
MAX_NAME = 200
MAX_SHORT = 500

# Twilio's names for the extras a WhatsApp message can carry, grouped the
# way the desk shows them (see interactions.payloads.message_dict).
LOCATION_FIELDS = {
    "Latitude": "latitude",
    "Longitude": "longitude",
    "Address": "address",
    "Label": "label",
}
BUTTON_FIELDS = {
    "ButtonPayload": "payload",
    "ButtonText": "text",
    "ButtonType": "type",
    "InteractiveData": "data",
}
REFERRAL_FIELDS = {
    "ReferralBody": "body",
    "ReferralHeadline": "headline",
    "ReferralSourceId": "source_id",
    "ReferralSourceType": "source_type",
    "ReferralSourceUrl": "source_url",
    "ReferralCtwaClid": "ctwa_clid",
    "ReferralMediaId": "media_id",
    "ReferralMediaUrl": "media_url",
    "ReferralMediaContentType": "media_content_type",
}
REPLY_FIELDS = {
    "OriginalRepliedMessageSid": "message_sid",
    "OriginalRepliedMessageSender": "sender",
}

# A signed field marking the installation's own health-check webhook: it is
# answered like a real one but stores nothing (see whatsapp.health).
HEALTH_CHECK_FIELD = "OccHealthCheck"


class InvalidWebhook(ValueError):
    """The request is not a well-formed Twilio message webhook."""


@dataclass
class ParsedInbound:
    message_sid: str
    from_number: str
    to_number: str
    body: str
    profile_name: str
    wa_id: str
    # WhatsApp usernames (2026): the customer's number may be withheld; From is then a user id.
    phone: str = ""
    username: str = ""
    external_user_id: str = ""
    parent_external_user_id: str = ""
    attachments: list[dict] = field(default_factory=list)
    # location / button / referral / reply_to, only those present.
    extras: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)
    health_check: str = ""
    # The Messaging Service the message came through (matched before the number), or "".
    messaging_service_sid: str = ""


@dataclass
class ParsedStatus:
    message_sid: str
    status: str
    error_code: str
    error_message: str
    payload: dict = field(default_factory=dict)


def form_to_payload(form) -> dict:
    """Every field as a string (or a list for repeated names)."""
    payload = {}
    for key in form:
        values = form.getlist(key) if hasattr(form, "getlist") else [form[key]]
        # NUL cannot be stored in PostgreSQL (text or jsonb), nor a lone
        # surrogate in any database: a signed webhook carrying one would be
        # a 500 and a lost message (occ.lib.text.clean_text).
        values = [clean_text(value if isinstance(value, str) else str(value)) for value in values]
        payload[clean_text(key)] = values if len(values) > 1 else (values[0] if values else "")
    return payload


def _single(form, name: str) -> str:
    """The field's (last) value as a string; '' when absent or not text."""
    value = form.get(name, "")
    if isinstance(value, list):  # a plain dict with a repeated field
        value = value[-1] if value else ""
    return clean_text(value) if isinstance(value, str) else ""


def _clean(value: str, limit: int) -> str:
    return clean_text(value).strip()[:limit]


# A business-scoped user id, as Twilio sends it for a customer whose number is
# withheld (WhatsApp usernames, 2026): `whatsapp:US.ABC123XYZ`. A country or
# region prefix, a dot, then the id.
_USER_ID = re.compile(r"^[A-Za-z]{2,3}\.[0-9A-Za-z_-]{1,128}\Z")


def whatsapp_customer_address(value: str, field_name: str = "From") -> str:
    """The customer's address after `whatsapp:`: an E.164 number, or a business-scoped user id kept as sent."""
    raw = value.strip()
    if not raw.lower().startswith("whatsapp:"):
        raise InvalidWebhook(f"{field_name} is not a WhatsApp address")
    rest = raw[len("whatsapp:") :]
    if _USER_ID.match(rest):
        return rest
    return _whatsapp_number(raw, field_name)


def _whatsapp_number(value: str, field_name: str) -> str:
    if not value.strip().lower().startswith("whatsapp:"):
        raise InvalidWebhook(f"{field_name} is not a WhatsApp address")
    try:
        return normalize_e164(value.strip())
    except (ValidationError, ValueError) as exc:
        raise InvalidWebhook(f"{field_name} is not an international number") from exc


def _sid(form, *names: str) -> str:
    for name in names:
        value = _single(form, name).strip()
        if value:
            if not _SID.match(value):
                raise InvalidWebhook(f"{name} is malformed")
            return value
    raise InvalidWebhook("MessageSid is missing")


def _media_indexes(form) -> list[int]:
    """Indexes of the attachments: 0..NumMedia-1, or whatever MediaUrlN fields came.

    A NumMedia that is missing, not a number or disagrees with the fields
    must not lose an attachment: the fields themselves are the truth.
    """
    present = set()
    for key in form:
        match = _MEDIA_URL_KEY.match(key)
        if match and int(match.group(1)) < MAX_MEDIA:
            present.add(int(match.group(1)))
    return sorted(present)


def _attachments(form) -> list[dict]:
    attachments = []
    for index in _media_indexes(form):
        url = _clean(_single(form, f"MediaUrl{index}"), 2000)
        if not url.lower().startswith(("https://", "http://")):
            continue  # kept in the payload; nothing the desk could fetch
        attachments.append(
            {"url": url, "content_type": _clean(_single(form, f"MediaContentType{index}"), 100)}
        )
    return attachments


def _group(form, names: dict[str, str]) -> dict:
    found = {}
    for twilio_name, our_name in names.items():
        value = _clean(_single(form, twilio_name), MAX_SHORT)
        if value:
            found[our_name] = value
    return found


def _location(form) -> dict:
    location = _group(form, LOCATION_FIELDS)
    if not location:
        return {}
    for name in ("latitude", "longitude"):
        try:
            number = float(location.get(name, ""))
        except ValueError:
            location.pop(name, None)
            continue
        bound = 90 if name == "latitude" else 180
        if number != number or not -bound <= number <= bound:  # NaN or out of range
            location.pop(name, None)
        else:
            location[name] = number
    return location


def parse_extras(form) -> dict:
    """Location, button reply, ad referral and quoted reply, only those present."""
    extras = {}
    for key, value in (
        ("location", _location(form)),
        ("button", _group(form, BUTTON_FIELDS)),
        ("referral", _group(form, REFERRAL_FIELDS)),
        ("reply_to", _group(form, REPLY_FIELDS)),
    ):
        if value:
            extras[key] = value
    return extras


def parse_inbound(form) -> ParsedInbound:
    """The message in a Twilio incoming-message webhook; InvalidWebhook if it cannot be stored."""
    message_sid = _sid(form, "MessageSid", "SmsMessageSid", "SmsSid")
    from_number = whatsapp_customer_address(_single(form, "From"), "From")
    to_number = _whatsapp_number(_single(form, "To"), "To")
    return ParsedInbound(
        phone=from_number if from_number.startswith("+") else "",
        username=_clean(_single(form, "ProfileUsername"), 100),
        external_user_id=_clean(_single(form, "ExternalUserId"), 140),
        parent_external_user_id=_clean(_single(form, "ParentExternalUserId"), 140),
        message_sid=message_sid,
        from_number=from_number,
        to_number=to_number,
        body=_single(form, "Body"),
        profile_name=_clean(_single(form, "ProfileName"), MAX_NAME),
        wa_id=re.sub(r"\D", "", _single(form, "WaId"))[:32],
        attachments=_attachments(form),
        extras=parse_extras(form),
        payload=form_to_payload(form),
        health_check=_health_check(form),
        messaging_service_sid=_messaging_service_sid(form),
    )


def _messaging_service_sid(form) -> str:
    """Twilio's MessagingServiceSid when well-formed; anything else is ignored (the number decides)."""
    value = _single(form, "MessagingServiceSid").strip()
    return value if _MESSAGING_SERVICE.match(value) else ""


def _health_check(form) -> str:
    """Our own nonce (hex, whatsapp.health), echoed in a header: anything else is not ours."""
    value = _single(form, HEALTH_CHECK_FIELD)
    if value and not _NONCE.match(value):
        raise InvalidWebhook(f"{HEALTH_CHECK_FIELD} is malformed")
    return value


def parse_status(form) -> ParsedStatus:
    message_sid = _sid(form, "MessageSid", "SmsSid")
    status = (_single(form, "MessageStatus") or _single(form, "SmsStatus")).strip().lower()
    if not status or len(status) > 20:
        raise InvalidWebhook("MessageStatus is missing")
    return ParsedStatus(
        message_sid=message_sid,
        status=status,
        error_code=_clean(_single(form, "ErrorCode"), 16),
        error_message=_clean(
            _single(form, "ErrorMessage") or _single(form, "ChannelStatusMessage"), 500
        ),
        payload=form_to_payload(form),
    )
