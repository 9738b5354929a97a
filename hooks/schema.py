"""The outbound webhooks' public payloads: their own schema, versioned, documented in docs/webhooks.md.

What receivers get is written here, field by field, from the core's
domain events; it changes only with `SCHEMA_VERSION` and a line in the
README's changelog, never because the desk needs another field.
"""

from __future__ import annotations

from interactions import events
from interactions.models import Contact, Interaction, Label, Message

# 2: `version` in the envelope; `message.sent` when the channel accepted a
# reply (it was "stored"); `message.failed`. See docs/webhooks.md.
# Added within 2: `interaction.labels_changed`; `labels`, `close_reason` and
# `wrap_up_note` in every interaction; `interaction.reopened`; `contact.merged`.
SCHEMA_VERSION = 2


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def interaction_payload(interaction: Interaction) -> dict:
    contact = interaction.contact
    return {
        "id": interaction.pk,
        "state": interaction.state,
        "channel": interaction.channel,
        "version": interaction.version,
        "service": {"id": interaction.service_id, "name": interaction.service.name},
        "contact": contact_payload(contact),
        "agent_id": interaction.agent_id,
        "assignment_reason": interaction.assignment_reason,
        "created_at": _iso(interaction.created_at),
        "queued_at": _iso(interaction.queued_at),
        "assigned_at": _iso(interaction.assigned_at),
        "closed_at": _iso(interaction.closed_at),
        "last_inbound_at": _iso(interaction.last_inbound_at),
        "labels": [_label(label) for label in interaction.labels.order_by("name")],
        "close_reason": (
            None
            if interaction.close_reason_id is None
            else {"id": interaction.close_reason_id, "name": interaction.close_reason.name}
        ),
        "wrap_up_note": interaction.wrap_up_note,
    }


def _label(label: Label) -> dict:
    return {"id": label.pk, "name": label.name, "colour": label.colour}


def labels_changed_payload(event: events.InteractionLabelsChanged) -> dict:
    return {
        "interaction": interaction_payload(event.interaction),
        "added": [_label(label) for label in event.added],
        "removed": [_label(label) for label in event.removed],
        "actor_id": event.actor_id,
    }


def contact_payload(contact: Contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "address": contact.address,
        "channel": contact.channel,
        "phone": contact.phone,
        "username": contact.username,
    }


def reopened_payload(event: events.InteractionReopened) -> dict:
    return {"interaction": interaction_payload(event.interaction), "actor_id": event.actor_id}


def merged_payload(event: events.ContactsMerged) -> dict:
    """The contact that stayed, the id of the one merged into it (deleted), how many moved."""
    return {
        "contact": contact_payload(event.contact),
        "merged_contact_id": event.merged.pk,
        "moved_interactions": event.moved,
        "actor_id": getattr(event.actor, "pk", None),
    }


def message_payload(message: Message) -> dict:
    return {
        "id": message.pk,
        "interaction_id": message.interaction_id,
        "direction": message.direction,
        "body": message.body,
        "attachments": [
            {"index": index, "content_type": item.get("content_type", "")}
            for index, item in enumerate(message.attachments or [])
        ],
        "extras": message.extras or {},
        "template_id": message.template_id,
        "status": message.status,
        "provider_id": message.provider_id or "",
        "error_code": message.error_code,
        "error_message": message.error_message,
        "sender_id": message.sender_id,
        "created_at": _iso(message.created_at),
        "status_updated_at": _iso(message.status_updated_at),
    }


def _with_interaction(message: Message, interaction: Interaction | None = None) -> dict:
    if interaction is None or "contact" not in interaction._state.fields_cache:
        interaction = Interaction.objects.select_related("service", "contact").get(
            pk=message.interaction_id
        )
    return {"interaction": interaction_payload(interaction), "message": message_payload(message)}


# Domain event → (webhook type, its data). Data is built only when an endpoint listens.
MAPPING = {
    events.InteractionOpened: (
        "interaction.created",
        lambda e: {"interaction": interaction_payload(e.interaction)},
    ),
    events.InteractionAssigned: (
        "interaction.assigned",
        lambda e: {"interaction": interaction_payload(e.interaction)},
    ),
    # A transfer to another agent is an assignment to them, as it always was for receivers.
    events.InteractionTransferred: (
        "interaction.assigned",
        lambda e: {"interaction": interaction_payload(e.interaction)},
    ),
    events.InteractionClosed: (
        "interaction.closed",
        lambda e: {"interaction": interaction_payload(e.interaction)},
    ),
    events.InteractionLabelsChanged: ("interaction.labels_changed", labels_changed_payload),
    events.InteractionReopened: ("interaction.reopened", reopened_payload),
    events.ContactsMerged: ("contact.merged", merged_payload),
    events.MessageReceived: (
        "message.received",
        lambda e: _with_interaction(e.message, e.interaction),
    ),
    events.MessageSent: ("message.sent", lambda e: _with_interaction(e.message)),
    events.MessageFailed: ("message.failed", lambda e: _with_interaction(e.message)),
    events.MessageStatusChanged: ("message.status_changed", lambda e: _with_interaction(e.message)),
}
