"""Who the customer is: their details as agents edit them, custom attributes, and merging two contacts."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from interactions import events
from interactions.actions import ActionError
from interactions.models import OPEN_STATES, Contact, ContactAttribute, Interaction

LANGUAGES = ("", "en", "it")  # "": the service's default


def clean_attribute(definition: ContactAttribute, raw) -> str:
    """A value of a custom attribute as stored ("" for none), or ActionError in words."""
    value = "" if raw is None else str(raw).strip()
    if not value:
        return ""
    kind = definition.kind
    if kind == ContactAttribute.Kind.NUMBER:
        try:
            number = Decimal(value.replace(",", "."))
        except InvalidOperation as exc:
            raise ActionError(_("%(label)s: enter a number.") % {"label": definition}) from exc
        if not number.is_finite():
            raise ActionError(_("%(label)s: enter a number.") % {"label": definition})
        return format(number.normalize(), "f")
    if kind == ContactAttribute.Kind.DATE:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ActionError(
                _("%(label)s: enter a date (YYYY-MM-DD).") % {"label": definition}
            ) from exc
    if kind == ContactAttribute.Kind.CHOICE and value not in definition.options:
        raise ActionError(_("%(label)s: choose one of the options.") % {"label": definition})
    return value[:500]


def update_contact(
    contact_id: int,
    *,
    name: str | None = None,
    language: str | None = None,
    note: str | None = None,
    attributes: dict | None = None,
) -> Contact:
    """Save what an agent changed about a customer (None: left as it is).

    `attributes` holds values by ContactAttribute key; keys no attribute
    defines are refused, an empty value removes it.
    """
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        fields = []
        if name is not None:
            contact.name = name.strip()[:200]
            fields.append("name")
        if language is not None:
            if language not in LANGUAGES:
                raise ActionError(_("Choose English, Italian or the service's language."))
            contact.language = language
            fields.append("language")
        if note is not None:
            contact.note = note.strip()[:5000]
            fields.append("note")
        if attributes is not None:
            definitions = {d.key: d for d in ContactAttribute.objects.all()}
            unknown = sorted(set(attributes) - set(definitions))
            if unknown:
                raise ActionError(_("No such attribute: %(keys)s.") % {"keys": ", ".join(unknown)})
            values = dict(contact.attributes or {})
            for key, raw in attributes.items():
                value = clean_attribute(definitions[key], raw)
                if value:
                    values[key] = value
                else:
                    values.pop(key, None)
            contact.attributes = values
            fields.append("attributes")
        if fields:
            contact.save(update_fields=[*fields, "updated_at"])
    return contact


def merge_contacts(keep_id: int, merged_id: int, *, actor=None) -> Contact:
    """Merge `merged_id` into `keep_id` (the same person): their conversations move, `merged_id` goes.

    Refused when both have an open conversation with the same service (a
    contact has one open conversation per service). What the kept contact
    lacks (name, WhatsApp's profile name, language, attributes) comes from
    the other; both notes are kept.
    """
    if keep_id == merged_id:
        raise ActionError(_("Choose two different contacts."))
    with transaction.atomic():
        # Both rows locked, in id order (interactions.actions: lock order).
        locked = {
            c.pk: c
            for c in Contact.objects.select_for_update()
            .filter(pk__in=[keep_id, merged_id])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ActionError(_("No such contact."))
        keep, merged = locked[keep_id], locked[merged_id]
        open_rows = Interaction.objects.filter(
            contact_id__in=[keep_id, merged_id], state__in=OPEN_STATES
        ).select_related("service")
        by_service: dict[int, set[int]] = {}
        names = {}
        for row in open_rows:
            by_service.setdefault(row.service_id, set()).add(row.contact_id)
            names[row.service_id] = row.service.name
        clash = sorted(names[s] for s, owners in by_service.items() if len(owners) == 2)
        if clash:
            raise ActionError(
                _(
                    "Both contacts have an open conversation with %(services)s: "
                    "close one of them first."
                )
                % {"services": ", ".join(clash)}
            )
        before = copy.copy(merged)
        moved = Interaction.objects.filter(contact=merged).update(contact=keep)
        for field in ("name", "profile_name", "language", "external_id"):
            if not getattr(keep, field):
                setattr(keep, field, getattr(merged, field))
        if merged.note:
            keep.note = f"{keep.note}\n\n{merged.note}".strip() if keep.note else merged.note
        keep.attributes = {**(merged.attributes or {}), **(keep.attributes or {})}
        merged.delete()
        keep.save()
        events.emit(events.ContactsMerged(keep, before, moved, actor))
    return keep
