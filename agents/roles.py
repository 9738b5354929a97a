"""Who may do what: the one place that reads (and sets) a user's role.

Three roles:
- administrator: everything. Stored as Django's `is_staff` (which also
  opens Django's admin and is what "two-factor required for staff" reads);
- supervisor: monitoring, reassigning and taking over conversations,
  transcripts, reports, canned responses and labels; no account settings,
  API tokens, webhooks or users. Stored as membership of the Django group
  `SUPERVISORS_GROUP`: a supervisor need not have an agent profile (one who
  only watches), so the role cannot live on the profile;
- agent: everyone else (what they may do comes from their agent profile).

Every role check of the project calls these functions; nothing else reads
`is_staff` or the group for a permission.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

SUPERVISORS_GROUP = "Supervisors"
# Cached on the user object for the request (or the desk socket) it belongs to.
_CACHE_ATTR = "_occ_role"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENT = "agent", _("Agent")


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def role_of(user) -> str:
    """The user's role ("administrator", "supervisor" or "agent"); read once per user object."""
    if not _signed_in(user):
        return Role.AGENT
    if user.is_staff:
        return Role.ADMINISTRATOR
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        prefetched = getattr(user, "_prefetched_objects_cache", {}).get("groups")
        if prefetched is not None:  # a list that prefetched the users' groups
            in_group = any(group.name == SUPERVISORS_GROUP for group in prefetched)
        else:
            in_group = user.groups.filter(name=SUPERVISORS_GROUP).exists()
        cached = Role.SUPERVISOR if in_group else Role.AGENT
        setattr(user, _CACHE_ATTR, cached)
    return cached


def is_administrator(user) -> bool:
    return _signed_in(user) and bool(user.is_staff)


def is_supervisor(user) -> bool:
    """Supervisors and administrators (an administrator can do what a supervisor does)."""
    return role_of(user) in (Role.ADMINISTRATOR, Role.SUPERVISOR)


def roles_of(users) -> dict[int, str]:
    """{user id: role} for these users, in one query."""
    from django.contrib.auth.models import Group

    users = list(users)
    in_group = set(
        Group.objects.filter(name=SUPERVISORS_GROUP, user__isnull=False).values_list(
            "user__pk", flat=True
        )
    )
    return {
        u.pk: Role.ADMINISTRATOR
        if u.is_staff
        else (Role.SUPERVISOR if u.pk in in_group else Role.AGENT)
        for u in users
    }


def supervisor_user_ids():
    """The ids of the users whose role is supervisor or administrator, as a subquery."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return (
        get_user_model()
        .objects.filter(Q(is_staff=True) | Q(groups__name=SUPERVISORS_GROUP))
        .values("pk")
    )


def set_role(user, role: str, *, actor=None) -> bool:
    """Give `user` this role; an audit-log entry when it changed. True when it changed.

    The user is saved (is_staff) by this function.
    """
    from django.contrib.auth.models import Group

    from audit.context import acting_as, current_actor
    from audit.models import AuditEntry
    from audit.receivers import record

    if role not in Role.values:
        raise ValueError(f"not a role: {role}")
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    before = role_of(user) if user.pk else None
    if before == role:
        return False
    group, _created = Group.objects.get_or_create(name=SUPERVISORS_GROUP)
    wants_staff = role == Role.ADMINISTRATOR
    if user.is_staff != wants_staff:
        user.is_staff = wants_staff
        user.save(update_fields=["is_staff"])
    if role == Role.SUPERVISOR:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    setattr(user, _CACHE_ATTR, role)
    # Open desk and supervisor tabs reload, so they run with the new role (agents.tabs).
    from django.db import transaction

    from agents.tabs import close_desks

    user_id = user.pk
    transaction.on_commit(lambda: close_desks(user_id))
    changes = {"role": {"from": before, "to": role}}
    if actor is not None and current_actor().user is None:
        with acting_as(actor):  # outside a request: a command, a job
            record(user, AuditEntry.Action.CHANGED, changes)
    else:
        record(user, AuditEntry.Action.CHANGED, changes)
    return True
