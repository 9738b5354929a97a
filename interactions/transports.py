"""How the core reaches each channel's provider, without knowing the provider.

A transport sends one stored outbound message and says what happened. The
WhatsApp/Twilio adapter lives in `whatsapp.transport`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import Protocol

from interactions.models import Message

TRANSPORTS = {"whatsapp": "whatsapp.transport.TwilioWhatsAppTransport"}


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str


class SendError(Exception):
    """The provider refused or could not be reached."""

    def __init__(self, message: str, *, code: str = "", transient: bool = False, ambiguous: bool = False):
        super().__init__(message)
        self.code = code
        # Certainly not accepted, and may succeed later: safe to retry.
        self.transient = transient
        # The provider may have accepted it (no answer in time): never resend blindly.
        self.ambiguous = ambiguous


class Transport(Protocol):
    def send(self, message: Message) -> SendResult: ...


def transport_for(channel: str) -> Transport:
    module_name, _, class_name = TRANSPORTS[channel].rpartition(".")
    return getattr(import_module(module_name), class_name)()
