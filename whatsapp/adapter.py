"""WhatsApp through Twilio, as the core sees a channel (occ.lib.channels.ChannelAdapter)."""

from __future__ import annotations

from datetime import timedelta

from occ.lib.channels import EraseError, MediaUnavailable, SendResult
from whatsapp import content_templates, gateway
from whatsapp.errors import describe_twilio_error
from whatsapp.transport import TwilioWhatsAppTransport


class WhatsAppAdapter:
    name = "whatsapp"
    label = "WhatsApp"  # a name, the same in every language
    agent_flag = "whatsapp_enabled"
    # WhatsApp's customer-service window: free text only within 24 h of the
    # customer's last message; afterwards only approved templates.
    service_window: timedelta | None = timedelta(hours=24)
    window_closed_error = (
        "More than 24 hours have passed since the customer's last message: WhatsApp allows only an "
        "approved template until the customer writes again (Twilio error 63016)."
    )

    def __init__(self) -> None:
        self._transport = TwilioWhatsAppTransport()

    def send(self, message) -> SendResult:
        return self._transport.send(message)

    def find_accepted(self, message) -> SendResult | None:
        return self._transport.find_accepted(message)

    def describe_error(self, code: str) -> tuple[str, str]:
        return describe_twilio_error(code)

    def templates(self) -> list[dict]:
        return content_templates.approved_templates()

    def send_typing(self, provider_id: str) -> None:
        # Twilio's Typing Indicators API: "typing…" for up to 25 s, and blue ticks (twilio/FACTS.md).
        gateway.client().messaging.v2.typing_indicator.create(
            channel="whatsapp", message_id=provider_id
        )

    def fetch_media(self, url: str) -> tuple[str, bytes]:
        try:
            return gateway.fetch_media(url)
        except (gateway.MediaRefused, gateway.NotConfigured) as exc:
            raise MediaUnavailable(str(exc)) from exc

    def erase(self, provider_id: str, media_urls: list[str]) -> None:
        # A customer's media URL is Twilio's Media resource: …/Messages/{MessageSid}/Media/{MediaSid}.
        media_sids = [
            url.rstrip("/").rsplit("/", 1)[1].removesuffix(".json")
            for url in media_urls
            if "/Media/" in url
        ]
        try:
            gateway.delete_message(provider_id, media_sids)
        except (gateway.DeleteFailed, gateway.NotConfigured) as exc:
            raise EraseError(str(exc)) from exc
