"""The desk's live pushes, from the core's domain events (see docs/websocket-protocol.md).

Each subscriber turns one event into the pushes the desks had before
events existed, sent after the commit (`interactions.events`): a push is a
notification, the database the truth.
"""

from __future__ import annotations

from interactions import events, selectors
from interactions.notify import push, push_message
from interactions.payloads import interaction_dict, label_dict, note_dict


def _message_created(event: events.MessageReceived | events.ReplyStored) -> None:
    interaction = event.interaction
    push_message(
        "message.created", event.message, interaction.agent_id, watched=interaction.is_watched()
    )


def _message_status(event) -> None:
    push_message("message.status", event.message, event.agent_id, watched=event.watched)


def _queued(event: events.InteractionQueued) -> None:
    push(
        {
            "type": "interaction.queued",
            "interaction": interaction_dict(event.interaction),
            "position": event.position,
        }
    )


def _handed_over(interaction) -> dict:
    """The interaction as the receiving desk shows it: with its labels and who handed it over why.

    A brand-new interaction (version 1: queued, then assigned) has neither,
    so the path of a customer's first message reads nothing more.
    """
    data = interaction_dict(interaction)
    if interaction.version > 1:
        data["labels"] = selectors.labels_of([interaction.pk])[interaction.pk]
        data["handover"] = selectors.handovers([interaction.pk]).get(interaction.pk)
    else:
        data["labels"], data["handover"] = [], None
    return data


def _assigned(event: events.InteractionAssigned | events.InteractionTransferred) -> None:
    interaction = event.interaction
    data = {"interaction": _handed_over(interaction)}
    previous = getattr(event, "from_agent_id", None)
    if previous and previous != interaction.agent_id:
        push({"type": "interaction.removed", **data}, agent_ids=[previous], supervisors=False)
    push({"type": "interaction.assigned", **data}, agent_ids=[interaction.agent_id])


def _requeued(event: events.InteractionRequeued) -> None:
    push(
        {"type": "interaction.removed", "interaction": interaction_dict(event.interaction)},
        agent_ids=[event.from_agent_id],
    )


def _closed(event: events.InteractionClosed) -> None:
    push(
        {"type": "interaction.closed", "interaction": interaction_dict(event.interaction)},
        agent_ids=[event.agent_id],
    )


def _labels(event: events.InteractionLabelsChanged) -> None:
    interaction = event.interaction
    push(
        {
            "type": "interaction.labels",
            "interaction_id": interaction.pk,
            "version": interaction.version,
            "labels": [label_dict(label) for label in event.labels],
        },
        agent_ids=[interaction.agent_id],
        # Supervisors' view shows no labels; each push would reload their snapshot.
        supervisors=False,
    )


def _presence(event: events.AgentPresenceChanged) -> None:
    push(
        {"type": "agent.presence", "agent_id": event.agent_id, "presence": event.presence},
        agent_ids=[event.agent_id],
    )


def _note_added(event: events.NoteAdded) -> None:
    """The note to every desk that may be showing the conversation; a mention to each mentioned agent."""
    interaction = event.interaction
    note = note_dict(event.note)
    push(
        {"type": "note.created", "interaction_id": interaction.pk, "note": note},
        agent_ids=[interaction.agent_id, event.author_agent_id, *event.mentioned_agent_ids],
        supervisors=False,
    )
    if event.mentioned_agent_ids:
        push(
            {"type": "note.mention", "interaction": interaction_dict(interaction), "note": note},
            agent_ids=list(event.mentioned_agent_ids),
            supervisors=False,
        )


def connect() -> None:
    events.subscribe(events.MessageReceived, _message_created)
    events.subscribe(events.ReplyStored, _message_created)
    for kind in (
        events.MessageSent,
        events.MessageFailed,
        events.MessageStatusChanged,
        events.MessageRetrying,
    ):
        events.subscribe(kind, _message_status)
    events.subscribe(events.InteractionQueued, _queued)
    events.subscribe(events.InteractionAssigned, _assigned)
    events.subscribe(events.InteractionTransferred, _assigned)
    events.subscribe(events.InteractionRequeued, _requeued)
    events.subscribe(events.InteractionClosed, _closed)
    events.subscribe(events.InteractionLabelsChanged, _labels)
    events.subscribe(events.AgentPresenceChanged, _presence)
    events.subscribe(events.NoteAdded, _note_added)
