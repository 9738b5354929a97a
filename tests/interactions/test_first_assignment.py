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


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_it_from_the_history():
    """Existing conversations get their first assignment from their AssignmentEvents."""
    from datetime import UTC, datetime

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("interactions", "0003_labels_close_reasons_contact_language")]
    after = [("interactions", "0004_first_assignment_and_report_indexes")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    service = old.get_model("services", "Service").objects.create(name="Care")
    contact = old.get_model("interactions", "Contact").objects.create(address="+393330000001")
    other = old.get_model("interactions", "Contact").objects.create(address="+393330000002")
    Interaction_ = old.get_model("interactions", "Interaction")
    Event = old.get_model("interactions", "AssignmentEvent")
    moved = Interaction_.objects.create(
        service=service, contact=contact, state="closed", assigned_at=t0 + timedelta(minutes=9)
    )
    for kind, minutes in (("queued", 0), ("assigned", 2), ("transferred", 9), ("closed", 20)):
        Event.objects.create(interaction=moved, kind=kind, at=t0 + timedelta(minutes=minutes))
    never = Interaction_.objects.create(service=service, contact=other, state="closed")
    Event.objects.create(interaction=never, kind="queued", at=t0)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("interactions", "Interaction")
    assert new.objects.get(pk=moved.pk).first_assigned_at == t0 + timedelta(minutes=2)
    assert new.objects.get(pk=never.pk).first_assigned_at is None
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
