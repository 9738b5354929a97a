"""Writes to services that the console and the API share."""

from __future__ import annotations

from django.db import transaction

from services.models import Closure, OpeningRange, Service

# The business-hours settings on the service row (services.forms.HoursForm).
HOURS_FIELDS = [
    "business_hours_enabled",
    "time_zone",
    "out_of_hours_reply",
    "out_of_hours_reply_every_hours",
    "out_of_hours_action",
]


def set_business_hours(
    service: Service, *, settings: dict, ranges: list[dict], closures: list[dict]
) -> Service:
    """Make the service's business hours these: its settings, weekly ranges and closures.

    The input is already validated (the console's HoursForm, RangeForm and
    ClosureForm check it, for the console page and the API alike). Rows equal
    to one asked for stay as they are; the others are deleted and the
    missing ones created, so the audit log records only what changed.
    """
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service.pk)
        changed = [name for name in HOURS_FIELDS if getattr(service, name) != settings[name]]
        for name in changed:
            setattr(service, name, settings[name])
        if changed:
            service.save(update_fields=changed)
        _replace(
            OpeningRange.objects.filter(service=service),
            [(r["weekday"], r["opens"], r["closes"]) for r in ranges],
            lambda row: (row.weekday, row.opens, row.closes),
            lambda key: OpeningRange(service=service, weekday=key[0], opens=key[1], closes=key[2]),
        )
        _replace(
            Closure.objects.filter(service=service),
            [(c["starts_on"], c["ends_on"], c.get("note", "")) for c in closures],
            lambda row: (row.starts_on, row.ends_on, row.note),
            lambda key: Closure(service=service, starts_on=key[0], ends_on=key[1], note=key[2]),
        )
    return service


def _replace(existing, wanted: list[tuple], key_of, make) -> None:
    remaining = list(wanted)
    for row in existing:
        key = key_of(row)
        if key in remaining:
            remaining.remove(key)
        else:
            row.delete()  # one by one: each deletion is audited
    for key in remaining:
        make(key).save()
