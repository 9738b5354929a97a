"""Reads of the core: agents' load, queues, the desk's and the supervisor's snapshots.

A desk rebuilds its whole state from `desk_snapshot` after every (re)connect;
pushes only keep it fresh in between.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db.models import Count, Max, Min, Prefetch, Q
from django.utils import timezone

from agents.models import AgentProfile
from agents.roles import is_supervisor
from interactions.models import (
    OPEN_STATES,
    AssignmentEvent,
    CloseReason,
    Contact,
    Direction,
    Interaction,
    InteractionState,
    Label,
    Message,
    MessageStatus,
    Note,
)
from interactions.payloads import (
    CONTACT_VALUES,
    INTERACTION_DATETIMES,
    INTERACTION_VALUES,
    close_reason_dict,
    interaction_dict,
    interaction_dict_from_values,
    iso,
    label_dict,
    message_dict,
    note_dict,
    service_dict,
)
from occ.lib import channels
from occ.lib import rows as fast_rows

# --- load, queues and windows ---------------------------------------------------------


def open_counts(agent_ids: Iterable[int]) -> dict[int, int]:
    """{agent id: how many interactions they hold}, for these agents."""
    return dict(open_counts_query(agent_id__in=list(agent_ids)))


def open_counts_query(**agent_filter):
    return (
        Interaction.objects.filter(state=InteractionState.ASSIGNED, **agent_filter)
        .values_list("agent_id")
        .annotate(n=Count("id"))
    )


def serving(service_ids: Iterable[int]):
    """The ids of the agents serving these services, as a subquery."""
    return AgentProfile.services.through.objects.filter(service_id__in=list(service_ids)).values(
        "agentprofile_id"
    )


def agent_service_ids(agent: AgentProfile | int) -> list[int]:
    """The services an agent (or agent id) serves."""
    agent_id = agent if isinstance(agent, int) else agent.pk
    return list(
        AgentProfile.services.through.objects.filter(agentprofile_id=agent_id).values_list(
            "service_id", flat=True
        )
    )


def online_agents(service_id: int, channel: str | None = None):
    """Agents who could take this service's conversations now (not locked; see assignment for the locked read)."""
    from agents.models import Presence

    return AgentProfile.objects.filter(
        pk__in=serving([service_id]),
        user__is_active=True,
        chat_enabled=True,
        presence=Presence.ONLINE,
        **{channels.adapter_for(channel).agent_flag: True},
    )


def queue_position(interaction: Interaction) -> int:
    """1 for the next interaction to be served in its service's queue (its queue_order's rank).

    Exact when read under the service's row lock (as the inbound path does):
    every change of a queue takes that lock.
    """
    ahead = Interaction.objects.filter(
        service_id=interaction.service_id, state=InteractionState.QUEUED
    ).filter(
        Q(queue_order__lt=interaction.queue_order)
        | Q(queue_order=interaction.queue_order, pk__lt=interaction.pk)
    )
    return ahead.count() + 1


def window_closes_at(interaction: Interaction) -> datetime | None:
    """When the channel's customer-service window closes (None: the customer has not written, or no window)."""
    window = channels.adapter_for(interaction.channel).service_window
    if interaction.last_inbound_at is None or window is None:
        return None
    return interaction.last_inbound_at + window


def free_text_allowed(interaction: Interaction, now: datetime) -> bool:
    """Free text (not only a template) may be sent now: the customer wrote, and the window is open."""
    if channels.adapter_for(interaction.channel).service_window is None:
        return True
    closes = window_closes_at(interaction)
    return closes is not None and closes > now


# --- the desk ---------------------------------------------------------------------------


# Codes OCC itself records when a send did not reach the provider (see actions.outbound).
LOCAL_ERROR_CODES = {"network", "timeout", "unconfirmed", "send", "not_configured"}


def provider_error(message: dict) -> bool:
    """The message's error code is the provider's (its adapter describes it), not one of OCC's own."""
    code = message.get("error_code") or ""
    return code not in LOCAL_ERROR_CODES and code.isdigit()


def error_to_describe(message: dict) -> bool:
    """A failed or retrying outbound message: the desk shows its error in plain words."""
    in_flight = message.get("error_code") == "timeout" and not message.get("error_message")
    return bool(
        message.get("direction") == Direction.OUTBOUND
        and not in_flight
        and (message.get("error_code") or message.get("status") == MessageStatus.FAILED)
    )


def channel_of(interaction_id: int | None) -> str:
    if interaction_id is None:
        return ""
    return (
        Interaction.objects.filter(pk=interaction_id).values_list("channel", flat=True).first()
        or ""
    )


def describe_error(message: dict, channel: str) -> dict:
    """Add the error in plain words and what to do, for a failed or retrying message of this channel."""
    if error_to_describe(message):
        code = message.get("error_code") or ""
        if provider_error(message):
            what, fix = channels.adapter_for(channel).describe_error(code)
        else:
            what, fix = (
                message.get("error_message") or "",
                _local_fix(code, message.get("status") or ""),
            )
        message["error_description"] = what
        message["error_action"] = fix
    return message


def _local_fix(code: str, status: str) -> str:
    if status == MessageStatus.PENDING:
        return "Nothing to do: it is retried automatically, and never sent twice."
    if code == "unconfirmed":
        return "Check with the customer before sending it again."
    if code == "not_configured":
        return "An administrator must enter the Twilio credentials in Settings → Advanced → Chat channel."
    return "Try sending it again."


def message_view(message: Message, channel: str | None = None) -> dict:
    """A message as the desk shows it: with its sender's name and its error in plain words."""
    channel = channel or message.interaction.channel
    data = message_dict(message)
    sender = message.sender if message.sender_id else None
    data["sender_name"] = (sender.get_full_name() or sender.get_username()) if sender else ""
    return describe_error(data, channel)


def interaction_summary(
    interaction: Interaction,
    last: Message | None,
    *,
    labels: list[dict] | None = None,
    handover: dict | None = None,
) -> dict:
    """The interaction as the desk lists it, with its newest message `last`, its labels and who
    handed it over (read for many at once by `labels_of` and `handovers`)."""
    data = interaction_dict(interaction)
    data["window_closes_at"] = iso(window_closes_at(interaction))
    data["last_message"] = message_view(last, interaction.channel) if last else None
    data["labels"] = labels if labels is not None else labels_of([interaction.pk])[interaction.pk]
    data["handover"] = handover
    return data


# --- labels, close reasons and hand-overs ---------------------------------------------------


def label_choices() -> list[dict]:
    """Every label, by name: what an agent can put on a conversation."""
    return [label_dict(label) for label in Label.objects.order_by("name")]


def close_reason_choices() -> list[dict]:
    """The active close reasons in their order: what an agent can pick when closing."""
    return [
        {"id": r.pk, "name": r.name}
        for r in CloseReason.objects.filter(is_active=True).order_by("position", "name")
    ]


def labels_of(interaction_ids: Iterable[int]) -> dict[int, list[dict]]:
    """{interaction id: its labels, by name} in one query."""
    ids = list(interaction_ids)
    found: dict[int, list[dict]] = {pk: [] for pk in ids}
    through = Interaction.labels.through
    for row in (
        through.objects.filter(interaction_id__in=ids)
        .select_related("label")
        .order_by("label__name")
    ):
        found[row.interaction_id].append(label_dict(row.label))
    return found


def handover_dict(event: AssignmentEvent) -> dict:
    actor = event.actor
    return {
        "kind": event.kind,
        "by": (actor.get_full_name() or actor.get_username()) if actor else "",
        "note": event.note,
        "at": iso(event.at),
    }


def handovers(interaction_ids: Iterable[int]) -> dict[int, dict]:
    """{interaction id: its latest hand-over by a person}: a transfer (to an agent or another
    service's queue) or a return to the queue, with the note they wrote. One query."""
    latest: dict[int, dict] = {}
    for event in (
        AssignmentEvent.objects.filter(
            interaction_id__in=list(interaction_ids),
            kind__in=[AssignmentEvent.Kind.TRANSFERRED, AssignmentEvent.Kind.REQUEUED],
            actor__isnull=False,
        )
        .select_related("actor")
        .order_by("at", "id")
    ):
        latest[event.interaction_id] = handover_dict(event)
    return latest


def wrap_up(interaction: Interaction) -> dict:
    """How a closed interaction ended: its close reason and wrap-up note (the history shows them)."""
    return {
        "close_reason": close_reason_dict(interaction.close_reason),
        "wrap_up_note": interaction.wrap_up_note,
    }


def _last_messages(interaction_ids: list[int]) -> dict[int, Message]:
    """The newest message of each interaction, in one query."""
    newest = (
        Message.objects.filter(interaction_id__in=interaction_ids)
        .values("interaction_id")
        .annotate(last_id=Max("id"))
        .values_list("last_id", flat=True)
    )
    return {
        m.interaction_id: m
        for m in Message.objects.filter(pk__in=list(newest)).select_related("sender")
    }


last_messages = _last_messages


def agent_state(agent: AgentProfile) -> dict:
    return {
        "id": agent.pk,
        "name": agent.display_name,
        "presence": agent.presence,
        "max_interactions": agent.max_interactions,
        "open_interactions": open_counts([agent.pk]).get(agent.pk, 0),
        "services": [{"id": s.pk, "name": s.name} for s in agent.services.order_by("name")],
    }


def desk_snapshot(agent: AgentProfile | None) -> dict:
    """Everything a desk shows, as of now: the agent and their open interactions (with versions)."""
    interactions = []
    if agent is not None:
        agent.refresh_from_db()
        rows = (
            Interaction.objects.filter(agent=agent, state=InteractionState.ASSIGNED)
            .select_related("service", "contact")
            .order_by("assigned_at", "pk")
        )
        held = list(rows)
        ids = [row.pk for row in held]
        last = _last_messages(ids)
        labels = labels_of(ids)
        handed = handovers(ids)
        interactions = [
            interaction_summary(
                row, last.get(row.pk), labels=labels[row.pk], handover=handed.get(row.pk)
            )
            for row in held
        ]
    return {
        "type": "snapshot",
        "server_time": iso(timezone.now()),
        "agent": agent_state(agent) if agent is not None else None,
        "interactions": interactions,
    }


# --- who may see and act on what: the one rule of the desk, its media and the API ---


def _profile_id(user) -> int | None:
    profile = (
        getattr(user, "agent_profile", None) if user is not None and user.is_authenticated else None
    )
    return profile.pk if profile is not None else None


def _sees_everything(user) -> bool:

    return is_supervisor(user)


def _held(profile_id: int):
    return Interaction.objects.filter(agent_id=profile_id, state=InteractionState.ASSIGNED)


def _mentioned_open(profile_id: int):
    """The open interactions a note mentions this agent in (a colleague asked them to look)."""
    return Interaction.objects.filter(state__in=OPEN_STATES, notes__mentions=profile_id).values(
        "contact_id"
    )


def visible_interactions(user):
    """The interactions `user` may see: the one rule of the desk, the desk's media and the API.

    Supervisors (and administrators) see everything. An agent sees:
    - the interactions they hold and the whole history of those contacts
      (their earlier interactions, with any agent, and their media): what
      the conversation in front of them needs;
    - every interaction they handled: held when it was closed, closed
      themselves, or were given and transferred on (their Closed view, and
      what they search for and reopen);
    - a conversation a private note mentions them in (`@username`), with its
      contact's history, to read it, never to act on it, until it closes.
    Everything else, including a colleague's conversation in a service the
    agent also serves, stays out of view.
    """
    rows = Interaction.objects.all()
    if user is not None and user.is_authenticated and _sees_everything(user):
        return rows
    ids = visible_interaction_ids(user)
    # One UNION of index scans (agent, closed_by, assignment events, held contacts), not an OR
    # that would read every interaction.
    return rows.none() if ids is None else rows.filter(pk__in=ids)


def visible_interaction_ids(user):
    """The ids of `visible_interactions(user)` for an agent, as one UNION (no outer query).

    None for a user who sees everything (there is no list to make) and for one who sees
    nothing (not signed in, or no agent profile).
    """
    if user is None or not user.is_authenticated or _sees_everything(user):
        return None
    profile_id = _profile_id(user)
    if profile_id is None:
        return None
    return _visible_ids(profile_id, user.pk)


def _visible_ids(profile_id: int, user_id: int):
    held_contacts = Interaction.objects.filter(
        contact_id__in=_held(profile_id).values("contact_id")
    ).values_list("pk")
    return held_contacts.order_by().union(
        Interaction.objects.filter(agent_id=profile_id).order_by().values_list("pk"),
        Interaction.objects.filter(closed_by_id=user_id).order_by().values_list("pk"),
        AssignmentEvent.objects.filter(
            agent_id=profile_id,
            kind__in=[AssignmentEvent.Kind.ASSIGNED, AssignmentEvent.Kind.TRANSFERRED],
        )
        .order_by()
        .values_list("interaction_id"),
        Interaction.objects.filter(contact_id__in=_mentioned_open(profile_id))
        .order_by()
        .values_list("pk"),
    )


def actionable_interactions(user):
    """The interactions `user` may reply to, close and transfer: supervisors any, an agent those they hold.

    Always a part of `visible_interactions`.
    """
    rows = Interaction.objects.all()
    if user is None or not user.is_authenticated:
        return rows.none()
    if _sees_everything(user):
        return rows
    profile_id = _profile_id(user)
    if profile_id is None:
        return rows.none()
    return _held(profile_id)


def can_view(user, interaction: Interaction) -> bool:
    """`visible_interactions`, for one interaction already loaded."""
    if user is None or not user.is_authenticated:
        return False
    if _sees_everything(user):
        return True
    profile_id = _profile_id(user)
    if profile_id is None:
        return False
    if interaction.agent_id == profile_id or interaction.closed_by_id == user.pk:
        return True
    return (
        _held(profile_id).filter(contact_id=interaction.contact_id).exists()
        or Interaction.objects.filter(
            contact_id=interaction.contact_id, state__in=OPEN_STATES, notes__mentions=profile_id
        ).exists()
        or AssignmentEvent.objects.filter(
            interaction_id=interaction.pk,
            agent_id=profile_id,
            kind__in=[AssignmentEvent.Kind.ASSIGNED, AssignmentEvent.Kind.TRANSFERRED],
        ).exists()
    )


def can_act(user, interaction: Interaction) -> bool:
    """`actionable_interactions`, for one interaction already loaded."""
    if user is None or not user.is_authenticated:
        return False
    if _sees_everything(user):
        return True
    profile_id = _profile_id(user)
    return (
        profile_id is not None
        and interaction.agent_id == profile_id
        and interaction.state == InteractionState.ASSIGNED
    )


def closed_by_agent(agent: AgentProfile | None):
    """The desk's Closed view: the conversations this agent held when they were closed, newest first."""
    if agent is None:
        return Interaction.objects.none()
    return (
        Interaction.objects.filter(agent=agent, state=InteractionState.CLOSED)
        .select_related("service", "contact", "close_reason")
        .order_by("-closed_at", "-pk")
    )


def contact_history(contact_id: int):
    """A contact's conversations, newest first, with what the customer panel shows of each."""
    return (
        Interaction.objects.filter(contact_id=contact_id)
        .select_related("service", "close_reason", "agent__user")
        .order_by("-created_at", "-pk")
    )


def conversation(interaction: Interaction) -> dict:
    """One interaction with the contact's whole history with the service (earlier ones too)."""
    history = []
    earlier = (
        Interaction.objects.filter(contact=interaction.contact)
        .select_related("service", "contact", "close_reason")
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.select_related("sender").order_by("created_at", "id"),
            ),
            Prefetch(
                "notes",
                queryset=Note.objects.select_related("author")
                .prefetch_related("mentions__user")
                .order_by("created_at", "id"),
            ),
        )
        .order_by("created_at", "pk")
    )
    last = None
    items = list(earlier)
    labels = labels_of(item.pk for item in items)
    for item in items:
        messages = list(item.messages.all())
        if item.pk == interaction.pk and messages:
            last = messages[-1]
        history.append(
            {
                "interaction": {
                    **interaction_dict(item),
                    **wrap_up(item),
                    "labels": labels.get(item.pk, []),
                },
                "messages": [message_view(m, item.channel) for m in messages],
                # Private notes, for agents and supervisors only: never messages (interactions.models.Note).
                "notes": [note_dict(n) for n in item.notes.all()],
            }
        )
    return {
        "type": "conversation",
        "interaction": interaction_summary(
            interaction,
            last,
            labels=labels.get(interaction.pk, []),
            handover=handovers([interaction.pk]).get(interaction.pk),
        ),
        "history": history,
        "assignment": [
            {
                "kind": e.kind,
                "agent_id": e.agent_id,
                "reason": e.reason,
                "note": e.note,
                "at": iso(e.at),
            }
            for e in interaction.events.all()
        ],
    }


# --- supervisor -------------------------------------------------------------------


def supervisor_snapshot(*, now: datetime | None = None) -> dict:
    """Queues, agents' presence and load, open interactions, and the last 24 hours as series."""
    from services.models import Service

    now = now or timezone.now()
    services = []
    queue_rows = {
        row["service_id"]: row
        for row in Interaction.objects.filter(state=InteractionState.QUEUED)
        .values("service_id")
        .annotate(n=Count("id"), oldest=Min("queued_at"))
    }
    by_id = {}
    for service in Service.objects.order_by("name"):
        by_id[service.pk] = service
        queued = queue_rows.get(service.pk)
        services.append(
            {
                "id": service.pk,
                "name": service.name,
                "queue_length": queued["n"] if queued else 0,
                "longest_wait_seconds": int((now - queued["oldest"]).total_seconds())
                if queued
                else 0,
            }
        )
    agents = list(AgentProfile.objects.select_related("user").order_by("user__username"))
    # The services of all agents from their link table in one read (a prefetch clones a
    # queryset per agent: a third of the snapshot's time with 200 agents).
    served: dict[int, list[int]] = {}
    for agent_id, service_id in AgentProfile.services.through.objects.order_by(
        "agentprofile_id", "service__name", "service_id"
    ).values_list("agentprofile_id", "service_id"):
        served.setdefault(agent_id, []).append(service_id)
    counts = open_counts(a.pk for a in agents)
    agent_rows = [
        {
            "id": a.pk,
            "name": a.display_name,
            "presence": a.presence,
            "open_interactions": counts.get(a.pk, 0),
            "max_interactions": a.max_interactions,
            "service_ids": served.get(a.pk, []),
        }
        for a in agents
    ]
    names = {row["id"]: row["name"] for row in agent_rows}
    # Columns, not model objects, and the contacts by their ids: 2,000 open conversations built
    # as objects with their service, contact, agent and user cost ten times the query, and the
    # planner joins the 2,000 to all the contacts by a scan of the table (docs/benchmarks.md).
    rows = fast_rows.values(
        Interaction.objects.filter(
            state__in=[InteractionState.QUEUED, InteractionState.ASSIGNED]
        ).order_by("queued_at", "pk"),
        INTERACTION_VALUES,
        datetimes=INTERACTION_DATETIMES,
    )
    contacts = {
        contact["id"]: contact
        for contact in Contact.objects.filter(pk__in={row["contact_id"] for row in rows}).values(
            *CONTACT_VALUES
        )
    }
    missing = {row["service_id"] for row in rows} - set(by_id)
    by_id.update({s.pk: s for s in Service.objects.filter(pk__in=missing)})
    service_rows = {pk: service_dict(service) for pk, service in by_id.items()}
    open_rows = []
    for row in rows:
        data = interaction_dict_from_values(
            row, service_rows[row["service_id"]], contacts[row["contact_id"]]
        )
        data["agent_name"] = names.get(row["agent_id"], "") if row["agent_id"] else ""
        data["waiting_seconds"] = (
            int((now - row["queued_at"]).total_seconds())
            if row["state"] == InteractionState.QUEUED
            else 0
        )
        open_rows.append(data)
    return {
        "type": "supervisor",
        "server_time": iso(now),
        "services": services,
        "agents": agent_rows,
        "interactions": open_rows,
        "charts": last_24_hours(now=now),
    }


def last_24_hours(*, now: datetime | None = None) -> dict:
    """Per hour of the last 24: interactions opened, median time to first reply, longest wait.

    The wait of an interaction is from entering the queue to its first
    assignment (or until now for one still waiting).
    """
    now = now or timezone.now()
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=24)
    hours = [start + timedelta(hours=i) for i in range(24)]
    # first_assigned_at: the first assignment or transfer to an agent (interactions.actions.lifecycle).
    times = ("created_at", "first_reply_at", "queued_at", "first_assigned_at")
    rows = fast_rows.values(
        Interaction.objects.filter(created_at__gte=start), (*times, "state"), datetimes=times
    )
    opened = [0] * 24
    replies: list[list[float]] = [[] for _ in range(24)]
    waits = [0.0] * 24
    for row in rows:
        index = int((row["created_at"] - start).total_seconds() // 3600)
        if not 0 <= index < 24:
            continue
        opened[index] += 1
        if row["first_reply_at"]:
            replies[index].append((row["first_reply_at"] - row["created_at"]).total_seconds())
        assigned = row["first_assigned_at"] or (
            now if row["state"] == InteractionState.QUEUED else None
        )
        if assigned:
            waits[index] = max(waits[index], (assigned - row["queued_at"]).total_seconds())
    return {
        "hours": [iso(h) for h in hours],
        "interactions": opened,
        "median_first_reply_seconds": [round(statistics.median(r)) if r else None for r in replies],
        "longest_wait_seconds": [round(w) for w in waits],
    }


def latest_activity() -> datetime | None:
    return Message.objects.aggregate(at=Max("created_at"))["at"]


# --- contacts ---------------------------------------------------------------------------


def visible_contacts(user):
    """The contacts `user` may open: all for supervisors, those of the interactions they see for an agent."""
    from interactions.models import Contact

    if user is None or not user.is_authenticated:
        return Contact.objects.none()
    if _sees_everything(user):
        return Contact.objects.all()
    return Contact.objects.filter(pk__in=visible_interactions(user).values("contact_id"))


def find_contacts(user, query: str = ""):
    """The contacts page: `user`'s visible contacts matching a name or number, newest first."""
    from interactions import search

    rows = visible_contacts(user)
    if query.strip():
        rows = rows.filter(pk__in=search.matching_contacts(query).values("pk"))
    return rows.order_by("-updated_at", "-pk")


def messages_of(interaction: Interaction):
    return (
        Message.objects.filter(interaction=interaction)
        .select_related("sender")
        .order_by("created_at", "id")
    )
