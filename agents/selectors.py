"""Reads for the desk and the supervisor view, built on the core's selectors.

The desk consumer and the desk's views call these and only translate: no
query of their own.
"""

from __future__ import annotations

from agents.models import AgentProfile, Presence
from interactions import channels, selectors
from interactions.models import Interaction
from interactions.payloads import iso
from widgets.selectors import attribution_for


class NotYours(Exception):
    """The interaction exists, but this user may not see it (or act on it)."""


def profile_for(user) -> AgentProfile | None:
    return AgentProfile.objects.filter(user=user).select_related("user").first()


def still_allowed(user_id: int, profile_id: int | None) -> bool:
    """One query: the user is still active (and, for an agent, still has their profile)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk=user_id, is_active=True)
    if profile_id:
        users = users.filter(agent_profile__pk=profile_id)
    return users.exists()


def interaction_for(user, interaction_id, *, act: bool) -> Interaction:
    """The interaction `interaction_id` if `user` may see it (`act`: reply, close, transfer).

    Raises Interaction.DoesNotExist (also for an id that is not a number)
    and NotYours, the one rule being `interactions.selectors`'.
    """
    try:
        interaction = Interaction.objects.select_related("service", "contact").get(
            pk=int(interaction_id)
        )
    except (TypeError, ValueError) as exc:
        raise Interaction.DoesNotExist from exc
    allowed = selectors.can_act(user, interaction) if act else selectors.can_view(user, interaction)
    if not allowed:
        raise NotYours
    return interaction


def desk_snapshot(agent: AgentProfile | None) -> dict:
    """The core's snapshot of an agent's desk, with the templates they may send."""
    snapshot = selectors.desk_snapshot(agent)
    snapshot["templates"] = channels.templates()
    snapshot["labels"] = selectors.label_choices()
    snapshot["close_reasons"] = selectors.close_reason_choices()
    snapshot["mentions"] = recent_mentions(agent) if agent is not None else []
    return snapshot


def recent_mentions(agent: AgentProfile, limit: int = 20) -> list[dict]:
    """The notes that mention this agent on conversations still open, newest first (the desk's Mentions)."""
    from interactions.models import OPEN_STATES, Note
    from interactions.payloads import interaction_dict, note_dict

    notes = (
        Note.objects.filter(mentions=agent, interaction__state__in=OPEN_STATES)
        .select_related("author", "interaction__service", "interaction__contact")
        .prefetch_related("mentions__user")
        .order_by("-created_at", "-id")[:limit]
    )
    return [{"interaction": interaction_dict(n.interaction), "note": note_dict(n)} for n in notes]


def desk_attribution(interaction: Interaction) -> dict | None:
    """Where the conversation came from, as the desk shows it (widgets.selectors.attribution_for)."""
    found = attribution_for(interaction)
    if found is None:
        return None
    return {
        "widget": found.widget_name,
        "page_url": found.page_url,
        "ref_code": found.ref_code,
        "visited_at": iso(found.visited_at),
    }


def conversation(interaction: Interaction) -> dict:
    """The core's conversation (the contact's whole history) and where it came from."""
    data = selectors.conversation(interaction)
    data["attribution"] = desk_attribution(interaction)
    return data


def transfer_targets(interaction: Interaction) -> dict:
    """Where the interaction can go, for the transfer dialog: the colleagues serving its service
    (with their load) and the queues of the other active services."""
    from services.models import Service

    agents = list(
        AgentProfile.objects.filter(services=interaction.service, user__is_active=True)
        .exclude(pk=interaction.agent_id or 0)  # 0: no agent, nobody to leave out
        .select_related("user")
        .order_by("user__username")
    )
    counts = selectors.open_counts(a.pk for a in agents)
    return {
        "type": "transfer.targets",
        "interaction_id": interaction.pk,
        "service": {"id": interaction.service_id, "name": interaction.service.name},
        "agents": [
            {
                "id": a.pk,
                "name": a.display_name,
                "presence": a.presence,
                "open_interactions": counts.get(a.pk, 0),
                "max_interactions": a.max_interactions,
                "available": a.presence == Presence.ONLINE
                and counts.get(a.pk, 0) < a.max_interactions,
            }
            for a in agents
        ],
        "services": [
            {"id": service.pk, "name": service.name}
            for service in Service.objects.filter(is_active=True)
            .exclude(pk=interaction.service_id)
            .order_by("name")
        ],
    }


def push_view(event: dict) -> dict:
    """A push as the tab gets it: a message's error in plain words.

    Reads the database (the interaction's channel) only for a provider's
    error code: see `push_needs_database`.
    """
    message = event.get("message")
    if not isinstance(message, dict) or not selectors.error_to_describe(message):
        return event
    channel = ""
    if selectors.provider_error(message):
        channel = selectors.channel_of(message.get("interaction_id") or event.get("interaction_id"))
    return {**event, "message": selectors.describe_error(dict(message), channel)}


def push_needs_database(event: dict) -> bool:
    message = event.get("message")
    return (
        isinstance(message, dict)
        and selectors.error_to_describe(message)
        and selectors.provider_error(message)
    )
