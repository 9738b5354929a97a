"""Reads for the desk and the supervisor view, built on the core's selectors.

The desk consumer and the desk's views call these and only translate: no
query of their own.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from agents.models import AgentProfile, Presence
from interactions import selectors
from interactions.models import Interaction
from interactions.payloads import iso
from occ.lib import channels
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
    snapshot["labels"] = selectors.label_choices()
    snapshot["close_reasons"] = selectors.close_reason_choices()
    snapshot["mentions"] = recent_mentions(agent) if agent is not None else []
    if agent is not None:
        counts = unread_counts(agent, [item["id"] for item in snapshot["interactions"]])
        for item in snapshot["interactions"]:
            item["unread"] = counts.get(item["id"], 0)
        snapshot["agent"]["preferences"] = preferences(agent)
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


# --- supervision: today's figures per agent, transcripts ----------------------------------------


def day_start(now: datetime) -> datetime:
    """Midnight of `now`'s day in the installation's time zone (TIME_ZONE)."""
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def presence_today(agents: list[AgentProfile], now: datetime) -> dict[int, dict[str, int]]:
    """{agent id: {presence: seconds today}}, from the presence spans (desk.actions.record_presence_span).

    Before an agent's first recorded change, their current presence is
    counted from `presence_changed_at` (or midnight, whichever is later).
    """
    from agents.models import PresenceSpan

    start = day_start(now)
    totals = {a.pk: {p: 0 for p in Presence.values} for a in agents}
    seen: set[int] = set()
    spans = PresenceSpan.objects.filter(agent_id__in=list(totals), started_at__lt=now).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=start)
    )
    for span in spans.values("agent_id", "presence", "started_at", "ended_at"):
        seen.add(span["agent_id"])
        begin = max(span["started_at"], start)
        end = min(span["ended_at"] or now, now)
        if end > begin and span["presence"] in totals[span["agent_id"]]:
            totals[span["agent_id"]][span["presence"]] += int((end - begin).total_seconds())
    recorded = set(
        PresenceSpan.objects.filter(agent_id__in=[a.pk for a in agents if a.pk not in seen])
        .values_list("agent_id", flat=True)
        .distinct()
    )
    for agent in agents:
        if agent.pk not in seen and agent.pk not in recorded:
            begin = max(agent.presence_changed_at, start)
            if now > begin:
                totals[agent.pk][agent.presence] += int((now - begin).total_seconds())
    return totals


def first_responses_today(agent_ids: list[int], now: datetime) -> dict[int, dict]:
    """{agent id: {"count", "median_seconds"}}: conversations whose first reply by a person was
    sent today, by the agent who sent it, timed from the conversation's start to that reply.

    Automatic replies (the queue position, no sender) are not a response of anyone's.
    Read from today's replies by people (the partial index `message_human_reply_time`),
    each kept when no earlier reply by a person exists in its conversation: the work
    is today's replies, not every conversation of the week.
    """
    from interactions.models import Direction, Message

    people = Q(direction=Direction.OUTBOUND, sender__isnull=False)
    earlier = Message.objects.filter(people, interaction=OuterRef("interaction")).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk"))
    )
    rows = (
        Message.objects.filter(people, created_at__gte=day_start(now), created_at__lte=now)
        .filter(~Exists(earlier), sender__agent_profile__id__in=agent_ids)
        .order_by()
        .values_list("sender__agent_profile__id", "interaction__created_at", "created_at")
    )
    times: dict[int, list[float]] = {}
    for replier, created, replied in rows:
        times.setdefault(replier, []).append((replied - created).total_seconds())
    return {
        agent_id: {
            "count": len(values),
            "median_seconds": round(statistics.median(values)) if values else None,
        }
        for agent_id, values in ((a, times.get(a, [])) for a in agent_ids)
    }


def supervisor_snapshot(*, now: datetime | None = None) -> dict:
    """The core's supervisor snapshot, each agent with today's presence times and first responses.

    On PostgreSQL in one transaction without parallel workers: each of its
    queries does a few milliseconds of work, and starting a worker for one
    costs more than that (docs/benchmarks.md).
    """
    if connection.vendor != "postgresql":
        return _supervisor_snapshot(now or timezone.now())
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        return _supervisor_snapshot(now or timezone.now())


def _supervisor_snapshot(now: datetime) -> dict:
    snapshot = selectors.supervisor_snapshot(now=now)
    agents = list(AgentProfile.objects.filter(pk__in=[a["id"] for a in snapshot["agents"]]))
    presence = presence_today(agents, now)
    responses = first_responses_today([a.pk for a in agents], now)
    since = {a.pk: a.presence_changed_at for a in agents}
    for row in snapshot["agents"]:
        row["presence_since"] = iso(since.get(row["id"]))
        row["presence_seconds_today"] = presence.get(row["id"], {})
        row["first_responses_today"] = responses.get(
            row["id"], {"count": 0, "median_seconds": None}
        )
    snapshot["day_started_at"] = iso(day_start(now))
    return snapshot


def watch_view(interaction: Interaction) -> dict:
    """A conversation as a supervisor watches it: the desk's conversation, marked as watched.

    Reads only: watching changes nothing the agent sees (no read marker,
    no unread count, no assignment).
    """
    data = conversation(interaction)
    data["type"] = "watch.conversation"
    agent = interaction.agent if interaction.agent_id else None
    data["agent_name"] = agent.display_name if agent is not None else ""
    return data


def transcript(interaction: Interaction) -> dict:
    """One interaction's messages and changes of hands, oldest first, for the transcript page."""
    from interactions.models import AssignmentEvent, Message

    messages = list(
        Message.objects.filter(interaction=interaction)
        .select_related("sender")
        .order_by("created_at", "pk")
    )
    events = list(
        AssignmentEvent.objects.filter(interaction=interaction)
        .select_related("agent__user", "actor")
        .order_by("at", "pk")
    )
    earlier = (
        Interaction.objects.filter(contact_id=interaction.contact_id)
        .exclude(pk=interaction.pk)
        .select_related("service")
        .order_by("-created_at")[:20]
    )
    return {
        "interaction": interaction,
        "transcript_messages": messages,
        "events": events,
        "others": list(earlier),
        "attribution": desk_attribution(interaction),
    }
