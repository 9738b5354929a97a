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
    """The core's snapshot of an agent's desk, with the templates they may send,
    each interaction's unread count and the agent's desk preferences."""
    snapshot = selectors.desk_snapshot(agent)
    snapshot["templates"] = channels.templates()
    if agent is not None:
        counts = unread_counts(agent, [item["id"] for item in snapshot["interactions"]])
        for item in snapshot["interactions"]:
            item["unread"] = counts.get(item["id"], 0)
        snapshot["agent"]["preferences"] = preferences(agent)
    return snapshot


def preferences(agent: AgentProfile) -> dict:
    return {
        "notify_desktop": agent.notify_desktop,
        "notify_sound": agent.notify_sound,
        "enter_sends": agent.enter_sends,
    }


def unread_counts(agent: AgentProfile, interaction_ids: list[int]) -> dict[int, int]:
    """{interaction id: inbound messages after the agent's read marker}, in two queries."""
    from django.db.models import Count, Q

    from agents.models import ReadMarker
    from interactions.models import Direction, Message

    if not interaction_ids:
        return {}
    read = dict(
        ReadMarker.objects.filter(agent=agent, interaction_id__in=interaction_ids).values_list(
            "interaction_id", "message_id"
        )
    )
    after = Q()
    for interaction_id in interaction_ids:
        after |= Q(interaction_id=interaction_id, id__gt=read.get(interaction_id, 0))
    rows = (
        Message.objects.filter(after, direction=Direction.INBOUND)
        .values_list("interaction_id")
        .annotate(n=Count("id"))
    )
    return dict(rows)


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
    """The colleagues serving the interaction's service, with their load, for the transfer menu."""
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
