"""Reads for the console's home: the first-run setup checklist, ticked from what is configured."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from settings.models import ChatChannelSettings


@dataclass(frozen=True)
class SetupStep:
    """One step of the product document's configuration order, and whether it is done."""

    key: str
    title: str | Promise
    detail: str | Promise
    done: bool
    url: str
    action: str | Promise


@dataclass(frozen=True)
class SetupChecklist:
    steps: list[SetupStep]

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return all(step.done for step in self.steps)

    @property
    def next_step(self) -> SetupStep | None:
        return next((step for step in self.steps if not step.done), None)


def setup_checklist() -> SetupChecklist:
    """The steps of the WhatsApp channel's configuration, each ticked from the database.

    1. Settings → Advanced → Chat channel: WhatsApp on, Account SID and Auth Token stored,
       and the last Verify account succeeded.
    2. Services: an active service exists.
    3-4. A service has the chat channel, WhatsApp and its Twilio phone number.
    5. Users: an active agent with Chat, WhatsApp and Max interactions serves such a service.
    6. Settings → Widget: a widget in use leads to such a service.
    """
    from agents.models import AgentProfile
    from services.models import Service
    from widgets.models import Widget

    config = ChatChannelSettings.load()
    ready = Service.objects.whatsapp_ready()
    return SetupChecklist(
        steps=[
            SetupStep(
                key="chat_channel",
                title=_("Turn on WhatsApp and verify the Twilio account"),
                detail=_(
                    "Settings → Advanced → Chat channel: enable WhatsApp, fill in the Account SID "
                    "and the Auth Token, then Verify account."
                ),
                done=bool(config.whatsapp_ready and config.verification_ok),
                url=reverse("advanced_settings:chat_channel"),
                action=_("Open the chat channel"),
            ),
            SetupStep(
                key="service",
                title=_("Create a service"),
                detail=_("Services: create a new service or pick an existing one."),
                done=Service.objects.filter(is_active=True).exists(),
                url=reverse("services:list"),
                action=_("Open the services"),
            ),
            SetupStep(
                key="service_whatsapp",
                title=_("Give the service WhatsApp and its Twilio number"),
                detail=_(
                    "Add the chat channel to the service, enable WhatsApp on it and fill in "
                    "the Twilio phone number."
                ),
                done=ready.exists(),
                url=reverse("services:list"),
                action=_("Set up a service"),
            ),
            SetupStep(
                key="agents",
                title=_("Enable agents for WhatsApp"),
                detail=_(
                    "Users: in an agent's profile enable Chat, then WhatsApp, set Max "
                    "interactions and choose the service."
                ),
                done=AgentProfile.objects.filter(
                    user__is_active=True,
                    chat_enabled=True,
                    whatsapp_enabled=True,
                    max_interactions__gte=1,
                    services__in=ready,
                ).exists(),
                url=reverse("agents:user_list"),
                action=_("Open the users"),
            ),
            SetupStep(
                key="widget",
                title=_("Map the service to the website widget"),
                detail=_(
                    "Settings → Widget → Widget in use → Channels → WhatsApp: choose the service."
                ),
                done=Widget.objects.filter(in_use=True, whatsapp_service__in=ready).exists(),
                url=reverse("widgets:list"),
                action=_("Open the widgets"),
            ),
        ]
    )


def console_overview() -> dict[str, int]:
    """The console home's figures: services WhatsApp reaches, agents who may answer and are online,
    conversations waiting in a queue and held by agents."""
    from agents.models import AgentProfile, Presence
    from interactions.models import Interaction, InteractionState
    from services.models import Service

    agents = AgentProfile.objects.filter(
        user__is_active=True, chat_enabled=True, whatsapp_enabled=True
    )
    return {
        "services_ready": Service.objects.whatsapp_ready().count(),
        "agents": agents.count(),
        "agents_online": agents.filter(presence=Presence.ONLINE).count(),
        "queued": Interaction.objects.filter(state=InteractionState.QUEUED).count(),
        "assigned": Interaction.objects.filter(state=InteractionState.ASSIGNED).count(),
    }
