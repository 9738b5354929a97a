"""The JSON shapes pushed to desks and returned on resync (see docs/websocket-protocol.md)."""

from __future__ import annotations

from interactions.models import Interaction, Message, Note
from occ.lib import file_safety


def iso(value) -> str | None:
    return value.isoformat() if value else None


def contact_dict(contact) -> dict:
    return {
        "id": contact.pk,
        "name": contact.name,
        "address": contact.address,
        "channel": contact.channel,
        "phone": contact.phone,
        "username": contact.username,
    }


def interaction_dict(interaction: Interaction) -> dict:
    return {
        "id": interaction.pk,
        "state": interaction.state,
        "channel": interaction.channel,
        "version": interaction.version,
        "service": service_dict(interaction.service),
        "contact": contact_dict(interaction.contact),
        "agent_id": interaction.agent_id,
        "assignment_reason": interaction.assignment_reason,
        "created_at": iso(interaction.created_at),
        "queued_at": iso(interaction.queued_at),
        "assigned_at": iso(interaction.assigned_at),
        "closed_at": iso(interaction.closed_at),
        "last_inbound_at": iso(interaction.last_inbound_at),
    }


# The interaction's own columns `interaction_dict_from_values` reads: values() instead of objects.
INTERACTION_VALUES = (
    "id",
    "state",
    "channel",
    "version",
    "service_id",
    "contact_id",
    "agent_id",
    "assignment_reason",
    "created_at",
    "queued_at",
    "assigned_at",
    "closed_at",
    "last_inbound_at",
)
INTERACTION_DATETIMES = ("created_at", "queued_at", "assigned_at", "closed_at", "last_inbound_at")
# A contact's columns, as `contact_dict` gives them.
CONTACT_VALUES = ("id", "name", "address", "channel", "phone", "username")


def service_dict(service) -> dict:
    return {
        "id": service.pk,
        "name": service.name,
        "close_reason_required": service.close_reason_required,
    }


def interaction_dict_from_values(row: dict, service: dict, contact: dict) -> dict:
    """`interaction_dict` from a row of `.values(*INTERACTION_VALUES)`, its service's
    `service_dict` and its contact's `.values(*CONTACT_VALUES)` (the supervisor's 2,000 rows)."""
    return {
        "id": row["id"],
        "state": row["state"],
        "channel": row["channel"],
        "version": row["version"],
        "service": service,
        "contact": contact,
        "agent_id": row["agent_id"],
        "assignment_reason": row["assignment_reason"],
        "created_at": iso(row["created_at"]),
        "queued_at": iso(row["queued_at"]),
        "assigned_at": iso(row["assigned_at"]),
        "closed_at": iso(row["closed_at"]),
        "last_inbound_at": iso(row["last_inbound_at"]),
    }


def label_dict(label) -> dict:
    """A label as desks show it: `text_colour` is black or white, whichever reads on `colour`."""
    return {
        "id": label.pk,
        "name": label.name,
        "colour": label.colour,
        "text_colour": label.text_colour,
    }


def close_reason_dict(reason) -> dict | None:
    return None if reason is None else {"id": reason.pk, "name": reason.name}


def quoted(message: Message) -> dict | None:
    """What a customer's quoted reply points at: the original's text, or `found: false` (not in OCC)."""
    sid = ((message.extras or {}).get("reply_to") or {}).get("message_sid")
    if not sid:
        return None
    original = (
        Message.objects.filter(
            provider_id=str(sid), interaction__contact__interactions=message.interaction_id
        )
        .values("id", "body", "direction", "attachments", "template_id")
        .first()
    )
    if original is None:
        return {"found": False}
    return {
        "found": True,
        "id": original["id"],
        "direction": original["direction"],
        "body": (original["body"] or "")[:300],
        "attachments": len(original["attachments"] or []),
        "template_id": original["template_id"],
    }


def message_dict(message: Message) -> dict:
    return {
        "id": message.pk,
        "interaction_id": message.interaction_id,
        "direction": message.direction,
        "body": message.body,
        # `inline`: a picture or sound the desk may show in the page; anything
        # else is offered as a download (occ.lib.file_safety).
        "attachments": [
            {
                "index": index,
                "content_type": item.get("content_type", ""),
                "name": item.get("name", ""),
                "inline": file_safety.is_inline(item.get("content_type")),
            }
            for index, item in enumerate(message.attachments or [])
        ],
        # location / button / referral / reply_to, only those the message carries.
        "extras": message.extras or {},
        # The message a quoted reply quotes, when OCC has it (same contact only).
        "quoted": quoted(message),
        "template_id": message.template_id,
        "status": message.status,
        "error_code": message.error_code,
        "error_message": message.error_message,
        "sender_id": message.sender_id,
        "created_at": iso(message.created_at),
        "status_updated_at": iso(message.status_updated_at),
    }


def note_dict(note: Note) -> dict:
    """A private note as the desk and the API show it (never a message: `kind` says so)."""
    author = note.author
    return {
        "id": note.pk,
        "kind": "note",
        "interaction_id": note.interaction_id,
        "body": note.body,
        "author_id": note.author_id,
        "author_name": (author.get_full_name() or author.get_username()) if author else "",
        "mentions": [
            {"id": agent.pk, "username": agent.user.get_username(), "name": agent.display_name}
            for agent in note.mentions.all()
        ],
        "created_at": iso(note.created_at),
    }
