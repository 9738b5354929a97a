"""Twilio's webhooks: thin views that check, parse, call one action, answer fast.

Twilio gives up after 15 s and may then call the fallback URL, so a slow
answer causes duplicates: the views store and answer at once, and a repeated
MessageSid is a 200 that changes nothing.
"""

from __future__ import annotations

import logging

from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from interactions import actions
from interactions.models import Message
from services.models import Service
from whatsapp.parsing import InvalidWebhook, parse_inbound, parse_status
from whatsapp.signature import twilio_signature_required

logger = logging.getLogger(__name__)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def twiml_ok() -> HttpResponse:
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@csrf_exempt
@require_POST
@twilio_signature_required
def inbound(request):
    try:
        parsed = parse_inbound(request.POST)
    except InvalidWebhook as exc:
        logger.warning("malformed inbound webhook: %s", exc)
        return HttpResponseBadRequest(f"Malformed webhook: {exc}")
    service = Service.objects.filter(twilio_number=parsed.to_number).first()
    if service is None or not service.whatsapp_ready:
        # Answered, so Twilio does not retry; nothing is stored.
        logger.warning("inbound message %s to %s: no service with WhatsApp on that number", parsed.message_sid, parsed.to_number)
        return twiml_ok()
    actions.receive_inbound(
        service,
        actions.InboundMessage(
            channel="whatsapp",
            address=parsed.from_number,
            provider_id=parsed.message_sid,
            body=parsed.body,
            name=parsed.profile_name,
            external_id=parsed.wa_id,
            attachments=parsed.attachments,
            payload=parsed.payload,
        ),
    )
    return twiml_ok()


@csrf_exempt
@require_POST
@twilio_signature_required
def status(request):
    try:
        parsed = parse_status(request.POST)
    except InvalidWebhook as exc:
        logger.warning("malformed status callback: %s", exc)
        return HttpResponseBadRequest(f"Malformed status callback: {exc}")
    message = None
    message_id = request.GET.get("m", "")
    if message_id.isdigit():
        message = Message.objects.filter(pk=int(message_id), direction="out").first()
    if message is None:
        message = Message.objects.filter(provider_id=parsed.message_sid).first()
    if message is None or (message.provider_id and message.provider_id != parsed.message_sid):
        logger.warning("status callback for unknown message %s", parsed.message_sid)
        return twiml_ok()
    actions.record_status(
        message,
        parsed.status,
        provider_id=parsed.message_sid,
        error_code=parsed.error_code,
        error_message=parsed.error_message,
    )
    return twiml_ok()
