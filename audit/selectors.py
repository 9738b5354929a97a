"""Reads of the audit log, shaped for the console page."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from audit.models import AuditEntry


@dataclass(frozen=True)
class ChangeLine:
    label: str
    text: str


def _model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def object_type_label(entry: AuditEntry) -> str:
    model = _model(entry.object_type)
    return str(model._meta.verbose_name) if model else entry.object_type


def field_label(entry: AuditEntry, name: str) -> str:
    if name == "auth_token_encrypted":
        return _("Auth Token")
    if name == "invitation":
        return _("Invitation")
    if name == "two_factor":
        return _("Two-factor sign-in")
    model = _model(entry.object_type)
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name


def _event_text(name: str, change: dict) -> str:
    """Account events recorded by accounts.actions."""
    event = str(change.get("event"))
    to = change.get("to") or ""
    texts = {
        ("invitation", "sent"): _("sent to %(to)s") % {"to": to},
        ("invitation", "resent"): _("sent again to %(to)s") % {"to": to},
        ("two_factor", "enabled"): _("turned on by the user"),
        ("two_factor", "disabled"): _("turned off by the user"),
        ("two_factor", "recovery_codes"): _("new recovery codes made by the user"),
        ("two_factor", "reset"): _("reset by an administrator (the user must set it up again)"),
    }
    return texts.get((name, event), event)


def _show(value) -> str:
    return _("(empty)") if value in (None, "") else str(value)


def change_lines(entry: AuditEntry) -> list[ChangeLine]:
    lines = []
    for name, change in (entry.changes or {}).items():
        label = field_label(entry, name)
        if "event" in change:
            text = _event_text(name, change)
        elif change.get("secret"):
            text = _("changed (the value is never recorded)")
        elif "added" in change or "removed" in change:
            parts = []
            if change.get("added"):
                parts.append(_("added %(names)s") % {"names": ", ".join(change["added"])})
            if change.get("removed"):
                parts.append(_("removed %(names)s") % {"names": ", ".join(change["removed"])})
            text = "; ".join(parts)
        elif entry.action == AuditEntry.Action.CREATED:
            text = _show(change.get("to"))
        else:
            text = f"{_show(change.get('from'))} → {_show(change.get('to'))}"
        lines.append(ChangeLine(label, text))
    return lines


def object_types() -> list[tuple[str, str]]:
    labels = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
    choices = []
    for label in sorted(set(labels)):
        model = _model(label)
        choices.append((label, str(model._meta.verbose_name) if model else label))
    return choices


def entries(object_type: str = ""):
    queryset = AuditEntry.objects.select_related("actor")
    if object_type:
        queryset = queryset.filter(object_type=object_type)
    return queryset
