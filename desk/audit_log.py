"""Audit-log entries of what agents do to contacts (a merge), from the core's domain events."""

from __future__ import annotations

from audit.context import acting_as, current_actor
from audit.models import AuditEntry
from audit.receivers import record
from interactions import events


def on_contacts_merged(event: events.ContactsMerged) -> None:
    """Recorded on the contact kept, naming the one merged into it."""
    merged = event.merged
    changes = {
        "merged": {
            "from": f"#{merged.pk} {merged.display_name} ({merged.address})",
            "to": f"#{event.contact.pk} {event.contact.display_name} ({event.contact.address})",
        },
        "interactions_moved": {"from": None, "to": str(event.moved)},
    }
    if event.actor is not None and current_actor().user is None:
        with acting_as(event.actor):
            record(event.contact, AuditEntry.Action.CHANGED, changes)
    else:
        record(event.contact, AuditEntry.Action.CHANGED, changes)


def connect() -> None:
    # Durable: the entry commits (or rolls back) with the merge itself.
    events.subscribe(events.ContactsMerged, on_contacts_merged, durable=True)
