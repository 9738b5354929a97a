"""The first assignment of a conversation is kept: a transfer moves assigned_at, not first_assigned_at."""

from __future__ import annotations

from datetime import timedelta

import pytest

from interactions.actions.lifecycle import transfer_interaction
from interactions.models import Interaction

pytestmark = pytest.mark.django_db


def test_a_transfer_keeps_the_first_assignment(make_agent, receive):
    first = make_agent("first", max_interactions=5)
    second = make_agent("second", max_interactions=5)
    receive(1)
    interaction = Interaction.objects.get()
    assigned = interaction.first_assigned_at
    assert assigned is not None and assigned == interaction.assigned_at
    to = second if interaction.agent_id == first.pk else first
    transfer_interaction(interaction.pk, to_agent_id=to.pk, now=assigned + timedelta(minutes=5))
    interaction.refresh_from_db()
    assert interaction.agent_id == to.pk
    assert interaction.assigned_at == assigned + timedelta(minutes=5)
    assert interaction.first_assigned_at == assigned


def test_a_queued_conversation_has_no_first_assignment_yet(receive):
    receive(1)  # no agent at all
    assert Interaction.objects.get().first_assigned_at is None


@pytest.mark.django_db
def test_the_migration_fills_it_from_the_history():
    """Existing conversations get their first assignment from their AssignmentEvents.

    The migration's own statement, run on rows without the value (the schema is
    not moved back and forth: other apps' migrations stand on it).
    """
    import importlib
    from datetime import UTC, datetime

    from django.db import connection

    from interactions.models import AssignmentEvent, Contact
    from services.models import Service

    migration = importlib.import_module(
        "interactions.migrations.0004_first_assignment_and_report_indexes"
    ).Migration
    (fill,) = [op for op in migration.operations if op.__class__.__name__ == "RunSQL"]
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    service = Service.objects.create(name="Care")
    contact = Contact.objects.create(address="+393330000001")
    other = Contact.objects.create(address="+393330000002")
    moved = Interaction.objects.create(
        service=service, contact=contact, state="closed", assigned_at=t0 + timedelta(minutes=9)
    )
    for kind, minutes in (("queued", 0), ("assigned", 2), ("transferred", 9), ("closed", 20)):
        AssignmentEvent.objects.create(
            interaction=moved, kind=kind, at=t0 + timedelta(minutes=minutes)
        )
    never = Interaction.objects.create(service=service, contact=other, state="closed")
    AssignmentEvent.objects.create(interaction=never, kind="queued", at=t0)
    Interaction.objects.update(first_assigned_at=None)  # as before the migration
    with connection.cursor() as cursor:
        cursor.execute(fill.sql)
    assert Interaction.objects.get(pk=moved.pk).first_assigned_at == t0 + timedelta(minutes=2)
    assert Interaction.objects.get(pk=never.pk).first_assigned_at is None
