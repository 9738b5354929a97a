"""The phone simulator's side of WhatsApp: customers' messages become signed Twilio webhooks.

Everything here does what Twilio would: build the webhook's form fields,
sign them with the account's Auth Token against the public URL, POST them
over HTTP, and read back what the application answered.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from occ.lib.phone import wa_digits
from whatsapp import fake_twilio
from whatsapp.content_templates import render
from whatsapp.fake_twilio import API_VERSION
from whatsapp.sandbox import state
from whatsapp.urls_public import inbound_webhook_url


def inbound_params(
    *,
    account_sid: str,
    service_number: str,
    customer_number: str,
    name: str,
    body: str,
    media: Sequence[tuple[str, str]] = (),
    button: dict | None = None,
) -> dict:
    """The form fields Twilio posts for a WhatsApp message (see twilio/FACTS.md)."""
    sid = ("MM" if media else "SM") + secrets.token_hex(16)
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": account_sid,
        "From": f"whatsapp:{customer_number}",
        "To": f"whatsapp:{service_number}",
        "Body": body,
        "NumMedia": str(len(media)),
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": API_VERSION,
        "MessageType": "image" if media else "text",
        "ProfileName": name,
        "ReferralNumMedia": "0",
    }
    if customer_number.startswith("+"):
        params["WaId"] = wa_digits(customer_number)
    else:
        # A customer with a WhatsApp username whose number is withheld (2026): a user id, no WaId.
        params["ExternalUserId"] = customer_number
        params["ProfileUsername"] = (
            "".join(c for c in name.lower() if c.isalnum() or c in "._") or "customer"
        )
    if button:
        # A quick-reply button pressed: its id and title, as Twilio posts them.
        params["ButtonPayload"] = button["id"]
        params["ButtonText"] = button["title"]
        params["MessageType"] = "button"
    for index, (url, content_type) in enumerate(media):
        params[f"MediaUrl{index}"] = url
        params[f"MediaContentType{index}"] = content_type
    return params


def post_signed(url: str, params: dict, auth_token: str) -> int:
    """POST as Twilio does; the HTTP status the application answered (0: unreachable)."""
    try:
        return fake_twilio.post_signed(url, params, auth_token)
    except OSError:
        return 0


def account() -> tuple[str, str]:
    """The configured account (SID, token), which the sandbox Twilio also knows."""
    twilio = state.sync_with_configuration()
    from settings.models import ChatChannelSettings

    config = ChatChannelSettings.load()
    sid = config.account_sid
    if not sid or sid not in twilio.accounts:
        raise ValueError(
            "Configure the Twilio Account SID and Auth Token first (seed_demo does it)."
        )
    return sid, twilio.accounts[sid].auth_token


def send_from_phone(
    *,
    service_number: str,
    customer_number: str,
    name: str,
    body: str,
    image: tuple[str, bytes] | None = None,
    button: dict | None = None,
    extra: dict | None = None,
) -> dict:
    """A customer writes: a signed inbound webhook to the application. Blocking (HTTP).

    `image` is any file (type, bytes); `extra` more of Twilio's fields (a location,
    a button reply, the message quoted).
    """
    sid, token = account()
    media = []
    if image is not None:
        content_type, data = image
        path = f"/{API_VERSION}/Accounts/{sid}/Messages/MM{secrets.token_hex(16)}/Media/ME{secrets.token_hex(16)}"
        state.fake().add_media(path, content_type, data)
        media.append((settings.TWILIO_API_BASE_URL.rstrip("/") + path, content_type))
    params = inbound_params(
        account_sid=sid,
        service_number=service_number,
        customer_number=customer_number,
        name=name,
        body=body,
        media=media,
        button=button,
    )
    # A number in a Messaging Service's pool: Twilio names the Messaging Service too.
    pool = state.fake().messaging_service_of(sid, f"whatsapp:{service_number}")
    if pool is not None:
        params["MessagingServiceSid"] = pool.sid
    params.update(extra or {})
    # Twilio keeps the customer's message (an erase deletes it there: privacy.actions).
    state.fake().add_received(params["MessageSid"])
    if media:
        kind = media[0][1].split("/", 1)[0]
        params["MessageType"] = {"image": "image", "audio": "audio", "video": "video"}.get(
            kind, "document" if kind == "application" else "contacts"
        )
        if media[0][1] == "image/webp":
            params["MessageType"] = "sticker"
    elif "Latitude" in params:
        params["MessageType"] = "location"
    elif "ButtonText" in params:
        params["MessageType"] = "button"
    answered = post_signed(inbound_webhook_url(), params, token)
    entry = {
        "sid": params["MessageSid"],
        "direction": "from_customer",
        "service": service_number,
        "customer": customer_number,
        "body": body,
        "media": [{"url": "", "content_type": ct} for _url, ct in media],
        "at": timezone.now().isoformat(),
        "status": "delivered" if answered == 200 else f"refused (HTTP {answered})",
    }
    state.phone_log.append(entry)
    return entry


def _rendered_content(message: dict) -> tuple[str, list[dict]]:
    """What WhatsApp shows for a ContentSid message: the text filled in, and its quick-reply buttons."""
    content = state.fake().content(message["_content_sid"])
    if content is None:
        return f"[template {message['_content_sid']}]", []
    try:
        variables = json.loads(message.get("_content_variables") or "{}")
    except ValueError:
        variables = {}
    text, buttons = "", []
    for kind in ("twilio/text", "twilio/quick-reply", "twilio/media", "twilio/call-to-action"):
        if isinstance(content.types.get(kind), dict) and content.types[kind].get("body"):
            text = content.types[kind]["body"]
            break
    quick = content.types.get("twilio/quick-reply") or {}
    buttons = [
        {"id": str(a.get("id") or a["title"]), "title": str(a["title"])}
        for a in quick.get("actions", [])
        if a.get("title")
    ]
    return render(text, variables), buttons


def conversation(service_number: str, customer_number: str) -> list[dict]:
    """Both sides of one phone's chat with one service, oldest first."""
    items = [
        e
        for e in state.phone_log
        if e["service"] == service_number and e["customer"] == customer_number
    ]
    for message in state.fake().sent_messages():
        if (
            message["from"] != f"whatsapp:{service_number}"
            or message["to"] != f"whatsapp:{customer_number}"
        ):
            continue
        body = message["body"]
        buttons: list[dict] = []
        if not body and message.get("_content_sid"):
            body, buttons = _rendered_content(message)
        items.append(
            {
                "sid": message["sid"],
                "direction": "to_customer",
                "service": service_number,
                "customer": customer_number,
                "body": body,
                "media": [
                    {"url": url, "content_type": ""} for url in message.get("_media_urls", [])
                ],
                "at": message["_created_at"],
                "status": message["status"],
                "buttons": buttons,
            }
        )
    items.sort(key=lambda e: e["at"])
    # Typing indicators: the customer's messages they name show as read (blue ticks).
    read, _typing_at = state.fake().typing_for(
        {e["sid"] for e in items if e["direction"] == "from_customer"}
    )
    for entry in items:
        if entry["sid"] in read:
            entry["status"] = "read"
    return items


def typing_indicators(service_number: str, customer_number: str) -> list[str]:
    """The customer's messages each typing indicator named, oldest first (one entry per request)."""
    mine = {
        e["sid"]
        for e in state.phone_log
        if e["service"] == service_number and e["customer"] == customer_number
    }
    with state.fake()._lock:
        return [t["message_id"] for t in state.fake().typing_indicators if t["message_id"] in mine]


def typing(service_number: str, customer_number: str) -> bool:
    """WhatsApp shows "typing…" from an indicator until a reply arrives or 25 s pass."""
    import time

    mine = {
        e["sid"]
        for e in state.phone_log
        if e["service"] == service_number and e["customer"] == customer_number
    }
    _read, typing_at = state.fake().typing_for(mine)
    if not typing_at or time.time() - typing_at > 25:
        return False
    replies = [
        m
        for m in state.fake().sent_messages()
        if m["from"] == f"whatsapp:{service_number}" and m["to"] == f"whatsapp:{customer_number}"
    ]
    return not any(m.get("_created_ts", 0) > typing_at for m in replies)
