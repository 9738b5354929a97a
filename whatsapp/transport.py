"""Sends stored outbound messages with Twilio's Messages API."""

from __future__ import annotations

import json
import logging

import requests
from twilio.base.exceptions import TwilioRestException

from interactions.models import Message
from interactions.transports import SendError, SendResult
from whatsapp import gateway
from whatsapp.errors import describe_twilio_error
from whatsapp.urls_public import status_callback_url

logger = logging.getLogger(__name__)

# Statuses where retrying is safe and may succeed: Twilio did not take the message.
TRANSIENT_HTTP = {429, 500, 502, 503, 504}


class TwilioWhatsAppTransport:
    def send(self, message: Message) -> SendResult:
        interaction = message.interaction
        kwargs = {
            "from_": f"whatsapp:{interaction.service.twilio_number}",
            "to": f"whatsapp:{interaction.contact.address}",
            "status_callback": status_callback_url(message.pk),
        }
        if message.template_id:
            kwargs["content_sid"] = message.template_id
            if message.template_variables:
                kwargs["content_variables"] = json.dumps(message.template_variables)
        if message.body:
            kwargs["body"] = message.body
        media = [item["url"] for item in message.attachments if item.get("url")]
        if media:
            kwargs["media_url"] = media
        try:
            created = gateway.client().messages.create(**kwargs)
        except gateway.NotConfigured as exc:
            raise SendError(str(exc), code="not_configured") from exc
        except TwilioRestException as exc:
            what, _fix = describe_twilio_error(exc.code)
            raise SendError(what, code=str(exc.code or exc.status), transient=exc.status in TRANSIENT_HTTP) from exc
        except requests.exceptions.ReadTimeout as exc:
            # The request reached Twilio, the answer did not: it may have been
            # accepted. The status callback (which carries our id) will tell.
            raise SendError(
                "Twilio did not answer in time; waiting for its confirmation.", code="timeout", ambiguous=True
            ) from exc
        except gateway.NETWORK_ERRORS as exc:
            # Connection refused / connect timeout: nothing reached Twilio.
            raise SendError("Twilio could not be reached.", code="network", transient=True) from exc
        logger.info("message %s accepted by Twilio as %s", message.pk, created.sid)
        return SendResult(provider_id=created.sid, status=created.status or "queued")


