"""Canned responses: who may use and manage which, the list the composer offers, saving and deleting.

Shared responses (no owner) are managed by supervisors (and
administrators, `agents.roles.is_supervisor`) and offered in the
conversations of their services (all services when none is chosen);
personal ones are their owner's alone. Every save and delete is in the
audit log (the model is tracked by `audit.receivers`; the services a
shared response is limited to are recorded here).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from agents import placeholders, roles
from agents.models import CannedResponse

# --- reads ------------------------------------------------------------------------------


def usable_by(user, *, service_id: int | None = None):
    """The responses `user` may insert: their own and the shared ones (of `service_id`, if given)."""
    if user is None or not user.is_authenticated:
        return CannedResponse.objects.none()
    shared = Q(owner__isnull=True)
    if service_id is not None:
        shared &= Q(services__isnull=True) | Q(services=service_id)
    return (
        CannedResponse.objects.filter(shared | Q(owner=user))
        .distinct()
        .prefetch_related("services")
        .order_by("shortcut", "owner_id", "id")
    )


def may_manage(user, response: CannedResponse) -> bool:
    """Supervisors manage the shared responses; everyone manages their own personal ones."""
    if response.is_shared:
        return roles.is_supervisor(user)
    return bool(user is not None and user.is_authenticated and response.owner_id == user.pk)


def values_for(user, interaction) -> placeholders.Values:
    """What the placeholders stand for in this conversation, for this agent."""
    contact = interaction.contact
    return placeholders.Values(
        contact_name=contact.name or "",
        contact_phone=contact.address if contact.channel == "whatsapp" else "",
        agent_first_name=user.first_name or user.get_username(),
        agent_name=user.get_full_name() or user.get_username(),
        service_name=interaction.service.name,
    )


def response_dict(response: CannedResponse, text: str | None = None) -> dict:
    data = {
        "id": response.pk,
        "shortcut": response.shortcut,
        "title": response.title,
        "body": response.body,
        "shared": response.is_shared,
        "service_ids": [service.pk for service in response.services.all()],
    }
    if text is not None:
        data["text"] = text
    return data


def composer_list(user, interaction) -> dict:
    """The responses the composer offers in this conversation, placeholders filled (the desk's `canned.list`)."""
    values = values_for(user, interaction)
    rows = usable_by(user, service_id=interaction.service_id)
    return {
        "type": "canned.list",
        "interaction_id": interaction.pk,
        "responses": [response_dict(r, placeholders.fill(r.body, values)) for r in rows],
    }


# --- writes -------------------------------------------------------------------------------


@transaction.atomic
def save(response: CannedResponse, *, services=None) -> CannedResponse:
    """Store a response already checked (`full_clean` or a form); `services` only for shared ones."""
    from audit.models import AuditEntry
    from audit.receivers import record

    response.save()
    if response.is_shared and services is not None:
        before = set(response.services.values_list("name", flat=True))
        response.services.set(services)
        after = set(response.services.values_list("name", flat=True))
        change = {}
        if after - before:
            change["added"] = sorted(after - before)
        if before - after:
            change["removed"] = sorted(before - after)
        if change:
            record(response, AuditEntry.Action.CHANGED, {"services": change})
    elif not response.is_shared:
        response.services.clear()
    return response


def delete(response: CannedResponse) -> None:
    response.delete()
