"""Twilio's WhatsApp webhook fields, parsed into what the core needs.

Pure functions over the POSTed form: no database, so they are tested (also
with hypothesis) on any input. Twilio adds fields without notice: every
field is kept in the payload, known or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from occ.phone import normalize_e164

_SID = re.compile(r"^[A-Z]{2}[0-9a-fA-F]{32}$")
MAX_MEDIA = 20  # WhatsApp allows one, Twilio up to 10; anything above is malformed
MAX_BODY = 4096


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
    attachments: list[dict] = field(default_factory=list)
    payload: dict = field(default_factory=dict)


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
        # NUL cannot be stored in PostgreSQL (text or jsonb): a signed webhook
        # carrying one would be a 500 and a lost message.
        values = [value.replace("\x00", "") if isinstance(value, str) else value for value in values]
        payload[key.replace("\x00", "")] = values if len(values) > 1 else values[0]
    return payload


def _single(form, name: str) -> str:
    value = form.get(name, "")
    return value.replace("\x00", "") if isinstance(value, str) else ""


def _whatsapp_number(value: str, field_name: str) -> str:
    if not value.lower().startswith("whatsapp:"):
        raise InvalidWebhook(f"{field_name} is not a WhatsApp address")
    try:
        return normalize_e164(value)
    except ValidationError as exc:
        raise InvalidWebhook(f"{field_name} is not an international number") from exc


def _sid(form, *names: str) -> str:
    for name in names:
        value = _single(form, name).strip()
        if value:
            if not _SID.match(value):
                raise InvalidWebhook(f"{name} is malformed")
            return value
    raise InvalidWebhook("MessageSid is missing")


def parse_inbound(form) -> ParsedInbound:
    message_sid = _sid(form, "MessageSid", "SmsMessageSid", "SmsSid")
    from_number = _whatsapp_number(_single(form, "From"), "From")
    to_number = _whatsapp_number(_single(form, "To"), "To")
    try:
        num_media = int(_single(form, "NumMedia") or 0)
    except ValueError as exc:
        raise InvalidWebhook("NumMedia is not a number") from exc
    if not 0 <= num_media <= MAX_MEDIA:
        raise InvalidWebhook("NumMedia is out of range")
    attachments = []
    for index in range(num_media):
        url = _single(form, f"MediaUrl{index}").strip()
        if not url.startswith(("https://", "http://")):
            raise InvalidWebhook(f"MediaUrl{index} is missing or not a URL")
        attachments.append({"url": url, "content_type": _single(form, f"MediaContentType{index}")[:100]})
    body = _single(form, "Body")
    if len(body) > MAX_BODY:
        raise InvalidWebhook("Body is too long")
    return ParsedInbound(
        message_sid=message_sid,
        from_number=from_number,
        to_number=to_number,
        body=body,
        profile_name=_single(form, "ProfileName").strip()[:200],
        wa_id=re.sub(r"\D", "", _single(form, "WaId"))[:32],
        attachments=attachments,
        payload=form_to_payload(form),
    )


def parse_status(form) -> ParsedStatus:
    message_sid = _sid(form, "MessageSid", "SmsSid")
    status = (_single(form, "MessageStatus") or _single(form, "SmsStatus")).strip().lower()
    if not status or len(status) > 20:
        raise InvalidWebhook("MessageStatus is missing")
    return ParsedStatus(
        message_sid=message_sid,
        status=status,
        error_code=_single(form, "ErrorCode").strip()[:16],
        error_message=_single(form, "ErrorMessage").strip()[:500],
        payload=form_to_payload(form),
    )
