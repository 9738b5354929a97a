"""Sends stored outbound messages with Twilio's Messages API."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import requests
from twilio.base.exceptions import TwilioRestException

from interactions.models import Message
from occ.lib.channels import SendError, SendResult
from whatsapp import gateway
from whatsapp.errors import describe_twilio_error
from whatsapp.urls_public import status_callback_url

logger = logging.getLogger(__name__)

# Statuses where retrying is safe and may succeed: Twilio did not take the message.
TRANSIENT_HTTP = {429, 500, 502, 503, 504}


def _sender_of(interaction) -> dict[str, str]:
    """Who sends, as Twilio's Messages API is told: the Messaging Service or the number the
    customer wrote to, of the service or of the one it was transferred from (WhatsApp's 24-hour
    window belongs to that sender)."""
    service = interaction.origin_service if interaction.origin_service_id else interaction.service
    return service.whatsapp_sender


class TwilioWhatsAppTransport:
    def send(self, message: Message) -> SendResult:
        interaction = message.interaction
        kwargs: dict[str, object] = {
            **_sender_of(interaction),
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
            raise SendError(
                what, code=str(exc.code or exc.status), transient=exc.status in TRANSIENT_HTTP
            ) from exc
        except requests.exceptions.ReadTimeout as exc:
            # The request reached Twilio, the answer did not: it may have been
            # accepted. The next attempt asks Twilio first (find_accepted).
            raise SendError("Twilio could not be reached.", code="timeout", ambiguous=True) from exc
        except gateway.NETWORK_ERRORS as exc:
            # Connection refused / connect timeout: nothing reached Twilio.
            raise SendError("Twilio could not be reached.", code="network", transient=True) from exc
        logger.info("message %s accepted by Twilio as %s", message.pk, created.sid)
        return SendResult(provider_id=created.sid, status=created.status or "queued")

    def find_accepted(self, message: Message) -> SendResult | None:
        """The message Twilio accepted from an earlier, timed-out attempt, if it has one.

        Twilio's list of messages from the service's number (or through its
        Messaging Service) to the contact, newest first: one created since the
        reply was stored, with the same text, and not yet tied to any of our
        messages, is taken to be it. Raises SendError (transient) when Twilio
        cannot be asked.
        """
        interaction = message.interaction
        to = f"whatsapp:{interaction.contact.address}"
        sender = _sender_of(interaction)
        from_ = sender.get("from_")
        via = sender.get("messaging_service_sid")
        try:
            # Twilio filters by From only: a Messaging Service's messages come from any of its senders.
            filters = {"from_": from_} if from_ else {}
            candidates = gateway.client().messages.list(to=to, limit=50, **filters)
        except gateway.NotConfigured as exc:
            raise SendError(str(exc), code="not_configured") from exc
        except TwilioRestException as exc:
            raise SendError(
                "Twilio could not be asked.", code=str(exc.code or exc.status), transient=True
            ) from exc
        except gateway.NETWORK_ERRORS as exc:
            raise SendError("Twilio could not be reached.", code="network", transient=True) from exc
        since = message.created_at - timedelta(seconds=5)
        known = set(
            Message.objects.filter(provider_id__in=[c.sid for c in candidates]).values_list(
                "provider_id", flat=True
            )
        )
        for candidate in candidates:
            if candidate.sid in known or candidate.to != to:
                continue
            if (candidate.messaging_service_sid != via) if via else (candidate.from_ != from_):
                continue
            if candidate.date_created is not None and candidate.date_created < since:
                continue
            if (candidate.body or "") != (message.body or "") and not message.template_id:
                continue
            logger.info(
                "message %s was accepted by Twilio as %s before the timeout",
                message.pk,
                candidate.sid,
            )
            return SendResult(provider_id=candidate.sid, status=candidate.status or "queued")
        return None
