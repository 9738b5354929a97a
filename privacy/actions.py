"""Data protection: export what OCC holds about a contact, erase a contact, apply the retention policy.

What OCC holds about a contact:
- the contact row (number, WhatsApp profile name, channel id, language);
- their interactions (with wrap-up notes, labels, close reason, changes of
  hands) and every row of other apps that points at them (private notes,
  read markers, search rows: found through the foreign keys, so a table
  added later is exported and erased with the rest);
- their messages: text, Twilio's raw webhook payload, extras, template
  variables, and attachments: the customers' files (kept at Twilio and
  fetched on demand) and the agents' uploads (files under OCC_MEDIA_ROOT);
- where they came from: widget visits (page URL, ref code);
- the outbound webhooks' outbox: the JSON bodies of events about their
  interactions (message text, name, number), kept for replay.

An erase removes all of it; the audit log records that an erase happened
(the contact's id and who did it), never what was erased. Files on disk go
once the transaction has committed. The copies the provider keeps (Twilio
keeps every message and its media) are deleted there by a task on the
engine, retried with a backoff (`erase_at_provider`); the audit log records
that too once done, again without saying what.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agents.models import OutboundFile
from desk import desk_files
from interactions.models import AssignmentEvent, Contact, Interaction, InteractionState, Message
from occ.lib import channels
from privacy.models import ProviderErasure, RetentionMode, RetentionPolicy

logger = logging.getLogger(__name__)

# Relations exported and erased explicitly; every other reverse relation is found generically.
_KNOWN = {
    Contact: {"interactions"},
    Interaction: {"messages", "events", "widget_visits"},
    Message: set(),
}


# --- what belongs to a contact ------------------------------------------------------------


def _related_rows(instances: list, model) -> dict[str, list]:
    """Rows of other models that point at these instances by a foreign key: {model label: rows}."""
    found: dict[str, list] = {}
    if not instances:
        return found
    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.get_accessor_name() in _KNOWN.get(model, set()):
            continue
        related = relation.related_model
        rows = related._default_manager.filter(**{f"{relation.field.name}__in": instances})
        if rows.exists():
            found.setdefault(related._meta.label, []).extend(rows)
    return found


def _own_upload(item: dict) -> OutboundFile | None:
    token = desk_files.token_of(item.get("url", ""))
    return OutboundFile.objects.filter(token=token).first() if token else None


def _uploads_of(messages: Iterable[Message]) -> list[OutboundFile]:
    uploads = []
    for message in messages:
        if message.direction != "out":
            continue
        for item in message.attachments or []:
            stored = _own_upload(item)
            if stored is not None:
                uploads.append(stored)
    return uploads


def _refers_to(data, interaction_ids: set[int], contact_ids: set[int]) -> bool:
    """A webhook body's `data` names one of these interactions or contacts (at any depth)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict) and isinstance(value.get("id"), int):
                if key == "interaction" and value["id"] in interaction_ids:
                    return True
                if key == "contact" and value["id"] in contact_ids:
                    return True
            if key == "interaction_id" and value in interaction_ids:
                return True
            if _refers_to(value, interaction_ids, contact_ids):
                return True
    elif isinstance(data, list):
        return any(_refers_to(item, interaction_ids, contact_ids) for item in data)
    return False


def _webhook_events(interaction_ids: set[int], contact_ids: set[int], hint: str = ""):
    """The outbox's events about these interactions or contacts (their bodies hold names and text)."""
    from hooks.models import Event

    rows = Event.objects.all()
    if hint:
        rows = rows.filter(body__contains=hint)
    found = []
    for event_id, body in rows.values_list("id", "body").iterator(chunk_size=500):
        try:
            data = json.loads(body).get("data")
        except (ValueError, AttributeError):
            continue
        if _refers_to(data, interaction_ids, contact_ids):
            found.append(event_id)
    return Event.objects.filter(id__in=found)


# --- export -------------------------------------------------------------------------------


def _plain(rows: list) -> list[dict]:
    return [
        {"model": row["model"], "id": row["pk"], **row["fields"]}
        for row in serializers.serialize("python", rows)
    ]


def contact_export(contact: Contact) -> tuple[dict, list[tuple[str, bytes]]]:
    """Everything OCC holds about `contact` as JSON-ready data, and the media files (path, bytes)."""
    from widgets.models import WidgetVisit

    files: list[tuple[str, bytes]] = []
    interactions = list(
        Interaction.objects.filter(contact=contact)
        .select_related("service", "agent__user", "close_reason")
        .prefetch_related("labels")
        .order_by("created_at", "pk")
    )
    result_interactions = []
    for interaction in interactions:
        messages = list(
            Message.objects.filter(interaction=interaction)
            .select_related("sender")
            .order_by("created_at", "pk")
        )
        message_rows = []
        for message in messages:
            attachments = []
            for index, item in enumerate(message.attachments or []):
                entry = {
                    "name": item.get("name", ""),
                    "content_type": item.get("content_type", ""),
                }
                data = _attachment_bytes(message, item)
                if data is None:
                    entry["file"] = None
                    entry["note"] = "The file could not be fetched."
                else:
                    extension = item.get("content_type", "").rpartition("/")[2] or "bin"
                    path = f"media/message-{message.pk}-{index}.{extension[:10]}"
                    files.append((path, data))
                    entry["file"] = path
                attachments.append(entry)
            message_rows.append(
                {
                    "id": message.pk,
                    "direction": message.direction,
                    "created_at": message.created_at,
                    "body": message.body,
                    "status": message.status,
                    "sender": message.sender.get_username() if message.sender_id else None,
                    "template_id": message.template_id,
                    "template_variables": message.template_variables,
                    "extras": message.extras,
                    "attachments": attachments,
                    "provider_payload": message.payload,
                    "related": {
                        label: _plain(rows)
                        for label, rows in _related_rows([message], Message).items()
                    },
                }
            )
        visits = WidgetVisit.objects.filter(interaction=interaction).select_related("widget")
        result_interactions.append(
            {
                "id": interaction.pk,
                "service": interaction.service.name,
                "channel": interaction.channel,
                "state": interaction.state,
                "created_at": interaction.created_at,
                "closed_at": interaction.closed_at,
                "agent": interaction.agent.display_name if interaction.agent_id else None,
                "labels": [label.name for label in interaction.labels.all()],
                "close_reason": interaction.close_reason.name if interaction.close_reason else None,
                "wrap_up_note": interaction.wrap_up_note,
                "messages": message_rows,
                "changes_of_hands": [
                    {"kind": e.kind, "agent_id": e.agent_id, "reason": e.reason, "at": e.at}
                    for e in AssignmentEvent.objects.filter(interaction=interaction).order_by("at")
                ],
                "attribution": [
                    {
                        "widget": visit.widget.name,
                        "page_url": visit.page_url,
                        "ref_code": visit.ref_code,
                        "visited_at": visit.created_at,
                        "opened_whatsapp_at": visit.opened_whatsapp_at,
                    }
                    for visit in visits
                ],
                "related": {
                    label: _plain(rows)
                    for label, rows in _related_rows([interaction], Interaction).items()
                },
            }
        )
    data = {
        "exported_at": timezone.now(),
        "contact": _plain([contact])[0],
        "related": {
            label: _plain(rows) for label, rows in _related_rows([contact], Contact).items()
        },
        "interactions": result_interactions,
    }
    return data, files


def _attachment_bytes(message: Message, item: dict) -> bytes | None:
    if message.direction == "out":
        stored = _own_upload(item)
        if stored is None:
            return None
        try:
            with desk_files.open_stored(stored) as handle:
                return handle.read()
        except OSError:
            return None
    if not item.get("url"):
        return None
    try:
        _type, data = channels.adapter_for(message.interaction.channel).fetch_media(item["url"])
    except channels.MediaUnavailable:
        return None
    return data


def export_zip(contact: Contact, *, actor=None) -> bytes:
    """A zip: contact.json (everything, as JSON) and media/ (the files). Audit-logged (that it happened)."""
    data, files = contact_export(contact)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "contact.json", json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
        )
        for path, content in files:
            archive.writestr(path, content)
    _audit(contact.pk, "exported", actor)
    return buffer.getvalue()


# --- erase --------------------------------------------------------------------------------


@dataclass
class Removed:
    interactions: int = 0
    messages: int = 0
    files: int = 0
    contacts: int = 0
    webhook_events: int = 0
    paths: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "interactions": self.interactions,
            "messages": self.messages,
            "files": self.files,
            "contacts": self.contacts,
            "webhook_events": self.webhook_events,
        }


def _remove_files(uploads: list[OutboundFile], removed: Removed) -> None:
    names = [stored.stored_name for stored in uploads]
    OutboundFile.objects.filter(pk__in=[stored.pk for stored in uploads]).delete()
    removed.files += len(names)
    removed.paths.extend(names)

    def delete_from_disk():
        storage = desk_files.storage()
        for name in names:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("could not delete an erased file from disk")

    transaction.on_commit(delete_from_disk)


def _delete_interactions(interaction_ids: set[int], contact_ids: set[int], removed: Removed):
    from widgets.models import WidgetVisit

    messages = list(Message.objects.filter(interaction_id__in=interaction_ids))
    _remove_files(_uploads_of(messages), removed)
    events = _webhook_events(interaction_ids, contact_ids)
    removed.webhook_events += events.count()
    events.delete()
    WidgetVisit.objects.filter(interaction_id__in=interaction_ids).delete()
    # Rows of other apps that point at them (notes, read markers, search rows), whatever their on_delete.
    interactions = list(Interaction.objects.filter(pk__in=interaction_ids))
    for found in (_related_rows(messages, Message), _related_rows(interactions, Interaction)):
        for rows in found.values():
            for row in rows:
                row.delete()
    removed.messages += len(messages)
    removed.interactions += len(interaction_ids)
    Interaction.objects.filter(pk__in=interaction_ids).delete()


@transaction.atomic
def erase_contact(contact: Contact, *, actor=None) -> Removed:
    """Remove the contact and everything OCC holds about them; the audit log says only that it happened.

    The provider's copies of their messages are deleted afterwards by a task (`erase_at_provider`).
    """
    removed = Removed()
    contact_id = contact.pk
    interaction_ids = set(Interaction.objects.filter(contact=contact).values_list("pk", flat=True))
    _erase_at_provider_later(interaction_ids, contact_id)
    # The contact's own events too (e.g. a contact changed), found by id.
    _delete_interactions(interaction_ids, {contact_id}, removed)
    events = _webhook_events(set(), {contact_id})
    removed.webhook_events += events.count()
    events.delete()
    Contact.objects.filter(pk=contact_id).delete()
    removed.contacts = 1
    _audit(contact_id, "erased", actor)
    return removed


def _audit(contact_id: int, event: str, actor) -> None:
    from audit.context import acting_as, current_actor
    from audit.models import AuditEntry

    def write():
        who = current_actor()
        user = who.user
        AuditEntry.objects.create(
            actor=user if user is not None and user.pk else None,
            actor_name=user.get_username() if user is not None else "",
            ip=who.ip,
            action=(
                AuditEntry.Action.DELETED
                if event in ("erased", "erased_at_provider")
                else AuditEntry.Action.CHANGED
            ),
            object_type="interactions.Contact",
            object_id=str(contact_id),
            # Never the name or the number: only which row it was.
            object_repr=f"contact #{contact_id}",
            changes={"data_protection": {"event": event}},
        )

    if actor is not None and current_actor().user is None:
        with acting_as(actor):
            write()
    else:
        write()


# --- erasing at the provider ---------------------------------------------------------------

# Attempts before an erasure at the provider is given up (shown on Data protection), and the
# wait after the n-th failed one: 1 min, 2, 4 … capped at 6 h (about a day and a half in all).
ERASE_MAX_ATTEMPTS = 10
ERASE_BACKOFF_CAP = timedelta(hours=6)
# An attempt in progress holds the row this long; a worker lost mid-attempt is taken over after it.
ERASE_LEASE = timedelta(minutes=10)
# Messages per erasure row (one task attempt works through one row).
ERASE_BATCH = 200


def erase_backoff(failed_attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** (failed_attempts - 1)), ERASE_BACKOFF_CAP)


def _erase_at_provider_later(interaction_ids: set[int], contact_id: int) -> list[int]:
    """Rows of the messages the provider holds (those with its id), each with its task, in this transaction."""
    from engine.actions import enqueue
    from privacy import tasks

    by_channel: dict[str, list[dict]] = {}
    rows = (
        Message.objects.filter(interaction_id__in=interaction_ids, provider_id__isnull=False)
        .exclude(provider_id="")
        .order_by("pk")
        .values_list("provider_id", "attachments", "interaction__channel")
    )
    for provider_id, attachments, channel in rows:
        urls = [item["url"] for item in attachments or [] if item.get("url")]
        by_channel.setdefault(channel, []).append({"id": provider_id, "media": urls})
    created = []
    for channel, items in by_channel.items():
        for start in range(0, len(items), ERASE_BATCH):
            erasure = ProviderErasure.objects.create(
                channel=channel, contact_id=contact_id, items=items[start : start + ERASE_BATCH]
            )
            enqueue(tasks.erase_at_provider, erasure.pk, 1)
            created.append(erasure.pk)
    return created


def erase_at_provider(erasure_id: int, attempt: int, *, now: datetime | None = None) -> int:
    """Attempt number `attempt` of one erasure: delete its messages at the provider; how many went.

    The attempt is claimed on the row first (attempts = attempt − 1, not
    given up), so a repeated task or the sweep never runs it twice. Messages
    deleted are taken off the row as they go; after a failure the rest is
    tried again after `erase_backoff`, up to ERASE_MAX_ATTEMPTS attempts.
    When none is left the row goes and the audit log records that it happened.
    """
    from engine.actions import enqueue
    from privacy import tasks

    now = now or timezone.now()
    claimed = ProviderErasure.objects.filter(
        pk=erasure_id, attempts=attempt - 1, failed_at__isnull=True
    ).update(attempts=attempt, next_attempt_at=now + ERASE_LEASE)
    if not claimed:
        return 0
    erasure = ProviderErasure.objects.get(pk=erasure_id)
    remaining = list(erasure.items)
    error = ""
    try:
        adapter = channels.adapter_for(erasure.channel)
    except LookupError as exc:
        adapter, error = None, str(exc)
    deleted = 0
    while adapter is not None and remaining:
        item = remaining[0]
        try:
            adapter.erase(item["id"], list(item.get("media") or []))
        except channels.EraseError as exc:
            error = str(exc)
            break
        remaining.pop(0)
        deleted += 1
    if not remaining:
        contact_id = erasure.contact_id
        erasure.delete()
        if not ProviderErasure.objects.filter(contact_id=contact_id).exists():
            _audit(contact_id, "erased_at_provider", None)
        return deleted
    erasure.items = remaining
    erasure.last_error = error[:200]
    if attempt >= ERASE_MAX_ATTEMPTS:
        erasure.failed_at = now
        erasure.save(update_fields=["items", "last_error", "failed_at"])
        logger.error(
            "erasure %s at %s given up after %s attempts", erasure.pk, erasure.channel, attempt
        )
        return deleted
    erasure.next_attempt_at = now + erase_backoff(attempt)
    with transaction.atomic():
        erasure.save(update_fields=["items", "last_error", "next_attempt_at"])
        enqueue(tasks.erase_at_provider, erasure.pk, attempt + 1, run_after=erasure.next_attempt_at)
    logger.warning(
        "erasure %s at %s: attempt %s failed, retried later", erasure.pk, erasure.channel, attempt
    )
    return deleted


def sweep_provider_erasures(*, now: datetime | None = None) -> int:
    """Enqueue the next attempt of erasures overdue by a minute (their task was lost); how many."""
    from engine.actions import enqueue
    from privacy import tasks

    now = now or timezone.now()
    overdue = ProviderErasure.objects.filter(
        failed_at__isnull=True, next_attempt_at__lte=now - timedelta(minutes=1)
    ).values_list("pk", "attempts")
    count = 0
    for pk, attempts in overdue:
        enqueue(tasks.erase_at_provider, pk, attempts + 1)
        count += 1
    return count


def provider_erasures() -> dict[str, int]:
    """For the Data protection page: erasures at the provider still pending, and given up."""
    rows = ProviderErasure.objects.all()
    return {
        "pending": rows.filter(failed_at__isnull=True).count(),
        "failed": rows.filter(failed_at__isnull=False).count(),
    }


# --- retention ----------------------------------------------------------------------------


def _expired(days: int, now: datetime):
    return Interaction.objects.filter(
        state=InteractionState.CLOSED, closed_at__lt=now - timedelta(days=days)
    )


def _fully_expired_contacts(expired_ids: set[int]):
    """Contacts all of whose interactions are among `expired_ids`."""
    contacts = Contact.objects.filter(interactions__pk__in=expired_ids).distinct()
    return contacts.exclude(
        pk__in=Interaction.objects.exclude(pk__in=expired_ids).values("contact_id")
    )


def dry_run(days: int, mode: str, *, now: datetime | None = None) -> dict[str, int]:
    """What the policy would remove now, without changing anything."""
    now = now or timezone.now()
    expired = _expired(days, now)
    ids = set(expired.values_list("pk", flat=True))
    messages = Message.objects.filter(interaction_id__in=ids)
    files = sum(
        len(attachments or []) for attachments in messages.values_list("attachments", flat=True)
    )
    return {
        "interactions": len(ids),
        "messages": messages.count(),
        "files": files,
        "contacts": _fully_expired_contacts(ids).count(),
    }


@transaction.atomic
def apply_retention(*, now: datetime | None = None, force: bool = False) -> dict[str, int] | None:
    """Delete or anonymise the closed conversations older than the policy keeps (None: it is off)."""
    policy = RetentionPolicy.objects.select_for_update().get_or_create(pk=1)[0]
    if not policy.enabled and not force:
        return None
    now = now or timezone.now()
    ids = set(_expired(policy.days, now).values_list("pk", flat=True))
    contacts = list(_fully_expired_contacts(ids))
    contact_ids = {c.pk for c in contacts}
    removed = Removed()
    if policy.mode == RetentionMode.DELETE:
        _delete_interactions(ids, set(), removed)
        removed.contacts = Contact.objects.filter(pk__in=contact_ids, interactions=None).delete()[0]
    else:
        _anonymise(ids, contacts, removed)
    counts = removed.counts()
    policy.last_run_at = now
    policy.last_run_counts = counts
    policy.save(update_fields=["last_run_at", "last_run_counts"])
    if ids:
        logger.info("retention: %s", counts)
    return counts


def _anonymise(ids: set[int], contacts: list[Contact], removed: Removed) -> None:
    """Keep the rows (and so the figures), remove the words, the files and who the customer was."""
    from widgets.models import WidgetVisit

    messages = Message.objects.filter(interaction_id__in=ids)
    _remove_files(_uploads_of(messages), removed)
    removed.messages = messages.update(
        body="", attachments=[], payload={}, extras={}, template_variables={}, error_message=""
    )
    Interaction.objects.filter(pk__in=ids).update(wrap_up_note="")
    interactions = list(Interaction.objects.filter(pk__in=ids))
    for rows in _related_rows(interactions, Interaction).values():
        for row in rows:  # private notes, search rows and the like: they hold the words
            row.delete()
    events = _webhook_events(ids, {c.pk for c in contacts})
    removed.webhook_events = events.count()
    events.delete()
    WidgetVisit.objects.filter(interaction_id__in=ids).delete()
    removed.interactions = len(ids)
    for contact in contacts:
        Contact.objects.filter(pk=contact.pk).update(
            name="", address=f"anonymised-{contact.pk}", external_id="", language=""
        )
    removed.contacts = len(contacts)


def find_contacts(query: str, *, limit: int = 50):
    """Contacts whose number, name or channel id contains `query`."""
    query = query.strip()
    if not query:
        return Contact.objects.none()
    return Contact.objects.filter(
        Q(address__icontains=query) | Q(name__icontains=query) | Q(external_id__icontains=query)
    ).order_by("-created_at")[:limit]
