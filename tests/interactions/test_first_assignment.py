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
