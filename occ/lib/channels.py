"""The seam between the core and the channels: what an adapter does, and the registry of adapters.

The core never imports a channel. Each channel app implements
`ChannelAdapter` and registers one instance from its `AppConfig.ready()`
(`whatsapp.adapter.WhatsAppAdapter` for WhatsApp through Twilio); the core
asks `adapter_for(interaction.channel)` whenever it needs the provider:
to send a stored reply, to find out whether a timed-out send was accepted,
for the customer-service window, to describe a provider's error code, for
the approved templates, to fetch a customer's media, to delete a message
at the provider when a contact is erased, and for the agent
profile's flag that enables the channel. A second channel is a new adapter
app; nothing here changes.

Why it lives in `occ.lib`, below every app, and not in `interactions`: the
registry is needed below the core too. A service (`services/`) checks that
its survey template is one of the channels' approved templates
(`services.models.Service.clean`, `services.forms.ServiceForm`), and
`services` sits below the core, which reads services for routing. The
registry holds no model and imports no app; the messages it is handed are
the core's `interactions.models.Message` rows (typed `Any` here so the
library stays below the apps).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

# An interactions.models.Message (the library imports no app).
Message = Any


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str


class SendError(Exception):
    """The provider refused or could not be reached."""

    def __init__(
        self, message: str, *, code: str = "", transient: bool = False, ambiguous: bool = False
    ):
        super().__init__(message)
        self.code = code
        # Certainly not accepted, and may succeed later: safe to retry.
        self.transient = transient
        # The provider may have accepted it (no answer in time): never resend blindly.
        self.ambiguous = ambiguous


class MediaUnavailable(Exception):
    """A customer's media could not be fetched from the provider (refused, unreachable, not configured)."""


class EraseError(Exception):
    """The provider could not delete a message now (unreachable, refused): try again later."""


class ChannelAdapter(Protocol):
    """What a channel implements for the core."""

    # The value of Interaction.channel and Contact.channel it serves.
    name: str
    # Its name for people (the choices' label of those fields).
    label: str
    # The AgentProfile boolean field that lets an agent take this channel's interactions.
    agent_flag: str
    # Free text is allowed this long after the customer's last message (None: always).
    service_window: timedelta | None
    # Why a free-text reply is refused once the window has closed, for the agent.
    window_closed_error: str

    def send(self, message: Message) -> SendResult:
        """Hand a stored outbound message to the provider; SendError when it did not take it."""
        ...

    def find_accepted(self, message: Message) -> SendResult | None:
        """After an ambiguous (timed-out) send: the provider's record of it, or None if it has none."""
        ...

    def describe_error(self, code: str) -> tuple[str, str]:
        """(what happened, what to do) for one of the provider's error codes, in plain words."""
        ...

    def templates(self) -> list[dict]:
        """The approved templates (`sid`, `name`, `body`, `variables`) agents may send."""
        ...

    def fetch_media(self, url: str) -> tuple[str, bytes]:
        """(content type, bytes) of a customer's attachment; MediaUnavailable when it cannot be had."""
        ...

    def send_typing(self, provider_id: str) -> None:
        """Tell the customer an agent is writing a reply to their message `provider_id` (which the
        provider also marks read); any exception is the caller's to log, never the agent's to see."""
        ...

    def erase(self, provider_id: str, media_urls: list[str]) -> None:
        """Delete the message `provider_id` and its media (`media_urls`: the attachments' URLs OCC
        had) at the provider; one already gone counts as deleted; EraseError to try again later."""
        ...


_adapters: dict[str, ChannelAdapter] = {}


def register(adapter: ChannelAdapter) -> None:
    """Make a channel known to the core (call from the channel app's `ready()`)."""
    _adapters[adapter.name] = adapter


def adapter_for(channel: str | None) -> ChannelAdapter:
    """The adapter of `channel`; None: of the default channel (`default_name`)."""
    try:
        return _adapters[channel if channel is not None else default_name()]
    except KeyError:
        raise LookupError(f"no adapter is registered for the channel {channel!r}") from None


def registered() -> list[ChannelAdapter]:
    return list(_adapters.values())


def choices() -> list[tuple[str, str]]:
    """(name, label) of every registered channel: the choices of Contact.channel and Interaction.channel."""
    return [(adapter.name, adapter.label) for adapter in _adapters.values()]


def default_name() -> str:
    """The channel of a contact or conversation created without one: the first registered.

    A service is one channel's address (WhatsApp: its number), so with one
    channel this is every conversation's; a second channel would give the
    service its channel and pass it wherever this default is taken.
    """
    if not _adapters:
        raise LookupError("no channel adapter is registered")
    return next(iter(_adapters))


def templates() -> list[dict]:
    """The approved templates of every channel, for the desk."""
    return [template for adapter in registered() for template in adapter.templates()]
