"""Twilio's webhooks: thin views that check, parse, call one action, answer fast.

Twilio gives up after 15 s and may then call the fallback URL, so a slow
answer causes duplicates: the views store and answer at once (anything slow,
such as an automatic reply, runs after the commit in the background), and a
repeated MessageSid is a 200 that changes nothing.

Answers:
- 403: missing or wrong X-Twilio-Signature; nothing is read or stored.
- 400: a signed request without a usable MessageSid, From or To (logged
  with its fields; nothing could be stored for it).
- 200 with an empty TwiML <Response/>: everything else, including a number
  no service answers on (logged, nothing stored) and repeated deliveries.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from interactions import notify
from interactions.actions import inbound as inbound_actions
from interactions.actions import outbound
from occ.lib.db_threads import run_in_db_thread
from occ.lib.text import safe_header_value
from services.models import Service
from whatsapp import webhook_cache
from whatsapp.parsing import InvalidWebhook, parse_inbound, parse_status
from whatsapp.signature import twilio_signature_required

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
# Headers answering the installation's own health-check webhook (whatsapp.health).
HEALTH_CHECK_HEADER = "X-OCC-Health-Check"
HEALTH_SERVICE_HEADER = "X-OCC-Health-Service"


def twiml_ok() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


async def _service_for(number: str, messaging_service_sid: str, account) -> Service | None:
    """The service answering for the webhook's Messaging Service, else on `number`, if WhatsApp
    is on for it and for the account."""
    if not account.whatsapp_enabled:
        return None
    service = webhook_cache.kept_service(number, messaging_service_sid) or await run_in_db_thread(
        webhook_cache.service, number, messaging_service_sid
    )
    return service if service is not None and service.whatsapp_ready else None


async def _store_then_push(work, /, *args, **kwargs):
    """`work` in a database thread, then the pushes it committed, sent from here.

    The views are async: parsing and the signature check run on the event
    loop, the database work in a reused thread (occ.lib.db_threads), and its
    pushes are sent from the event loop (interactions.notify.collected).
    """
    with notify.collected() as pushes:
        result = await run_in_db_thread(work, *args, **kwargs)
    await notify.send_collected(pushes)
    return result


@csrf_exempt
@require_POST
@twilio_signature_required
async def inbound(request):
    try:
        parsed = parse_inbound(request.POST)
    except InvalidWebhook as exc:
        logger.error("malformed inbound webhook (%s); fields: %s", exc, sorted(request.POST))
        return HttpResponseBadRequest(f"Malformed webhook: {exc}")
    service = await _service_for(
        parsed.to_number, parsed.messaging_service_sid, request.twilio_account
    )
    if parsed.health_check:
        # Our own signed test message: it proves the whole path up to here
        # works, and stores nothing.
        response = twiml_ok()
        response[HEALTH_CHECK_HEADER] = safe_header_value(
            parsed.health_check
        )  # the parser allows [0-9A-Za-z_-]
        response[HEALTH_SERVICE_HEADER] = str(service.pk) if service else "none"
        return response
    if service is None:
        # Answered, so Twilio does not retry; nothing is stored.
        logger.warning(
            "inbound message %s to %s%s ignored: no service with WhatsApp on that number",
            parsed.message_sid,
            parsed.to_number,
            f" (Messaging Service {parsed.messaging_service_sid})"
            if parsed.messaging_service_sid
            else "",
        )
        return twiml_ok()
    message = inbound_actions.InboundMessage(
        channel="whatsapp",
        address=parsed.from_number,
        provider_id=parsed.message_sid,
        body=parsed.body,
        name=parsed.profile_name,
        external_id=parsed.wa_id,
        phone=parsed.phone,
        username=parsed.username,
        external_user_id=parsed.external_user_id,
        parent_external_user_id=parsed.parent_external_user_id,
        attachments=parsed.attachments,
        extras=parsed.extras,
        payload=parsed.payload,
    )
    result = await _store_then_push(inbound_actions.receive_inbound, service, message)
    if result.duplicate:
        logger.info("inbound message %s delivered again; already stored", parsed.message_sid)
    return twiml_ok()


@csrf_exempt
@require_POST
@twilio_signature_required
async def status(request):
    try:
        parsed = parse_status(request.POST)
    except InvalidWebhook as exc:
        logger.error("malformed status callback (%s); fields: %s", exc, sorted(request.POST))
        return HttpResponseBadRequest(f"Malformed status callback: {exc}")
    # Our own id rides in the callback URL: the callback can arrive before
    # Twilio's answer to the send (with the MessageSid) has been stored.
    message_id = request.GET.get("m", "")
    await _store_then_push(
        outbound.record_status_callback,
        int(message_id)
        if message_id.isascii() and message_id.isdigit() and len(message_id) <= 18
        else None,
        provider_id=parsed.message_sid,
        status=parsed.status,
        error_code=parsed.error_code,
        error_message=parsed.error_message,
    )
    return twiml_ok()
