"""Labels on a conversation: put on and taken off at any time, by its agent or a supervisor."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from interactions import events
from interactions.actions import ActionError
from interactions.actions.lifecycle import locked
from interactions.models import Interaction, Label


def change_labels(
    interaction_id: int, *, add: Iterable[int] = (), remove: Iterable[int] = (), actor=None
) -> Interaction:
    """Put the labels `add` on the interaction and take `remove` off; one event for the change.

    Unknown label ids are refused (nothing changes). Adding a label it has,
    or removing one it has not, changes nothing; a change bumps the
    interaction's version, so desks can tell the newer state.
    """
    add_ids, remove_ids = set(add), set(remove)
    if add_ids & remove_ids:
        raise ActionError(_("A label cannot be added and removed at once."))
    with transaction.atomic():
        interaction = locked(interaction_id)
        known = Label.objects.in_bulk(add_ids | remove_ids)
        if len(known) != len(add_ids | remove_ids):
            raise ActionError(_("That label does not exist (any more)."))
        current = set(interaction.labels.values_list("pk", flat=True))
        added = sorted((known[pk] for pk in add_ids - current), key=lambda label: label.name)
        removed = sorted((known[pk] for pk in remove_ids & current), key=lambda label: label.name)
        if not added and not removed:
            return interaction
        if added:
            interaction.labels.add(*added)
        if removed:
            interaction.labels.remove(*removed)
        interaction.version += 1
        interaction.save(update_fields=["version"])
        events.emit(
            events.InteractionLabelsChanged(
                interaction,
                labels=tuple(interaction.labels.order_by("name")),
                added=tuple(added),
                removed=tuple(removed),
                actor_id=actor.pk if actor is not None else None,
            )
        )
    return interaction
