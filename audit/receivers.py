"""Model signals that write the audit log of configuration changes.

Tracked: the chat channel settings, services, agent profiles (and the
services they serve), widgets, users, the security settings, labels and
close reasons. Account
events (an invitation sent, two-factor enabled or reset) are recorded by
accounts.actions as {"event": ...} changes of the user. Operational fields that change on
their own (presence, last log-in, verification results) are not
configuration and are left out. Secret fields are recorded as "changed",
never with a value: not even the ciphertext of the Auth Token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from audit.context import current_actor
from audit.models import AuditEntry


@dataclass(frozen=True)
class Tracked:
    fields: tuple[str, ...]
    secrets: frozenset[str] = field(default_factory=frozenset)


def tracked_models() -> dict[str, Tracked]:
    return {
        "advanced_settings.ChatChannelSettings": Tracked(
            ("whatsapp_enabled", "account_sid", "auth_token_encrypted"),
            frozenset({"auth_token_encrypted"}),
        ),
        "services.Service": Tracked(
            (
                "name",
                "is_active",
                "chat_enabled",
                "whatsapp_enabled",
                "twilio_number",
                "messaging_service_sid",
                "queue_position_reply",
                "close_reason_required",
                "default_language",
                "greeting_enabled",
                "no_agent_reply",
                "out_of_hours_reply",
                "closed_message_enabled",
                "business_hours_enabled",
                "time_zone",
                "out_of_hours_action",
                "out_of_hours_reply_every_hours",
                "first_response_minutes",
                "idle_close_hours",
                "csat_enabled",
                "csat_template_sid",
            )
        ),
        "interactions.Label": Tracked(("name", "colour")),
        "interactions.CloseReason": Tracked(("name", "is_active", "position")),
        "services.OpeningRange": Tracked(("service", "weekday", "opens", "closes")),
        "services.Closure": Tracked(("service", "starts_on", "ends_on", "note")),
        "services.ServiceMessage": Tracked(("service", "kind", "language", "body")),
        "agents.AgentProfile": Tracked(
            ("user", "chat_enabled", "whatsapp_enabled", "max_interactions")
        ),
        "widgets.Widget": Tracked(
            (
                "name",
                "public_key",
                "in_use",
                "allowed_origins",
                "whatsapp_service",
                "prefilled_text",
                "attribution_enabled",
                "colour",
                "position",
                "launcher_text",
                "title_text",
            )
        ),
        "accounts.SecuritySettings": Tracked(("two_factor_required",)),
        # Shared ones are configuration; personal ones are recorded the same way.
        "agents.CannedResponse": Tracked(("shortcut", "title", "body", "owner")),
        "interactions.ContactAttribute": Tracked(("key", "label", "kind", "choices", "position")),
        settings.AUTH_USER_MODEL: Tracked(
            (
                "username",
                "first_name",
                "last_name",
                "email",
                "is_active",
                "is_staff",
                "is_superuser",
                "password",
            ),
            frozenset({"password"}),
        ),
    }


_TRACKED: dict[type, Tracked] = {}


def _fields_of(model, spec: Tracked) -> list:
    names = {f.name for f in model._meta.get_fields()}
    return [model._meta.get_field(name) for name in spec.fields if name in names]


def snapshot(instance, spec: Tracked) -> dict:
    """Tracked fields as comparable values (secrets raw, in memory only; related objects as text)."""
    values = {}
    for f in _fields_of(type(instance), spec):
        if f.is_relation:
            related_id = getattr(instance, f.attname)
            values[f.name] = None if related_id is None else str(getattr(instance, f.name))
        else:
            value = getattr(instance, f.attname)
            values[f.name] = value if f.name in spec.secrets or value is None else str(value)
    return values


def _default_snapshot(model, spec: Tracked) -> dict:
    values = {}
    for f in _fields_of(model, spec):
        default = None if f.is_relation or not f.has_default() else f.get_default()
        if default in ("", None):
            default = None
        values[f.name] = default if default is None or f.name in spec.secrets else str(default)
    return values


def diff(before: dict, after: dict, spec: Tracked) -> dict:
    changes: dict[str, dict] = {}
    for name, new in after.items():
        old = before.get(name)
        if (old or None) == (new or None):
            continue
        if name in spec.secrets:
            changes[name] = {"secret": True}
        else:
            changes[name] = {"from": old or None, "to": new or None}
    return changes


def record(instance, action: str, changes: dict) -> AuditEntry:
    actor = current_actor()
    user = actor.user
    return AuditEntry.objects.create(
        actor=user if user is not None and user.pk else None,
        actor_name=user.get_username() if user is not None else "",
        ip=actor.ip,
        action=action,
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=changes,
    )


def _spec(sender) -> Tracked | None:
    return _TRACKED.get(sender)


def on_pre_save(sender, instance, raw=False, update_fields=None, **kwargs):
    spec = _spec(sender)
    if spec is None or raw:
        return
    if update_fields is not None and not set(update_fields) & set(spec.fields):
        instance._audit_skip = True  # e.g. last_login on every log-in
        return
    instance._audit_skip = False
    before = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._default_manager.filter(pk=instance.pk).first()
        before = snapshot(old, spec) if old is not None else None
    instance._audit_before = before


def on_post_save(sender, instance, created, raw=False, **kwargs):
    spec = _spec(sender)
    if spec is None or raw or getattr(instance, "_audit_skip", False):
        return
    before = getattr(instance, "_audit_before", None)
    if created or before is None:
        changes = diff(_default_snapshot(sender, spec), snapshot(instance, spec), spec)
        if changes or not created:
            record(instance, AuditEntry.Action.CREATED, changes)
        # A singleton created with its defaults (ChatChannelSettings.load()) is no change.
        return
    changes = diff(before, snapshot(instance, spec), spec)
    if changes:
        record(instance, AuditEntry.Action.CHANGED, changes)
    instance._audit_before = snapshot(instance, spec)


def on_post_delete(sender, instance, **kwargs):
    if _spec(sender) is not None:
        record(instance, AuditEntry.Action.DELETED, {})


def on_services_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """The services an agent serves: added and removed ones, by name."""
    AgentProfile = apps.get_model("agents", "AgentProfile")
    Service = apps.get_model("services", "Service")
    if action == "pre_clear":
        if reverse:
            instance._audit_cleared = list(instance.agents.all())
        else:
            instance._audit_cleared = list(instance.services.values_list("name", flat=True))
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    key = "added" if action == "post_add" else "removed"
    if not reverse:
        if action == "post_clear":
            names = getattr(instance, "_audit_cleared", [])
        else:
            names = list(Service.objects.filter(pk__in=pk_set or ()).values_list("name", flat=True))
        if names:
            record(instance, AuditEntry.Action.CHANGED, {"services": {key: sorted(names)}})
        return
    profiles = (
        getattr(instance, "_audit_cleared", [])
        if action == "post_clear"
        else list(AgentProfile.objects.filter(pk__in=pk_set or ()).select_related("user"))
    )
    for profile in profiles:
        record(profile, AuditEntry.Action.CHANGED, {"services": {key: [instance.name]}})


def connect() -> None:
    for label, spec in tracked_models().items():
        model = apps.get_model(label)
        _TRACKED[model] = spec
        uid = f"audit:{label}"
        pre_save.connect(on_pre_save, sender=model, dispatch_uid=uid + ":pre")
        post_save.connect(on_post_save, sender=model, dispatch_uid=uid + ":post")
        post_delete.connect(on_post_delete, sender=model, dispatch_uid=uid + ":delete")
    through = apps.get_model("agents", "AgentProfile").services.through
    m2m_changed.connect(on_services_changed, sender=through, dispatch_uid="audit:agent-services")
