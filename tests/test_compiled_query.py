"""occ.lib.compiled_query: an ORM query compiled once gives the ORM's rows for any values.

Runs on whichever database the suite runs on (SQLite in the first CI pass,
PostgreSQL in the second), so both backends' SQL and converters are checked.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from agents.models import AgentProfile, Presence
from interactions.actions.assignment import eligible_agents_for_update
from interactions.models import Contact, Interaction
from occ.lib.compiled_query import CompiledQuery

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def counted(build):
    """`build`, counting how many times it is called (once per compiled shape)."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append((args, kwargs))
        return build(*args, **kwargs)

    return wrapper, calls


def agents_of(service_ids):
    return (
        AgentProfile.objects.filter(services__in=service_ids)
        .order_by("pk")
        .values_list("pk", "max_interactions", "last_assignment_at", "whatsapp_enabled")
    )


@pytest.fixture
def three_services(make_agent, service):
    from services.models import Service

    second = Service.objects.create(
        name="Sales", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390211111111"
    )
    third = Service.objects.create(
        name="Billing", chat_enabled=True, whatsapp_enabled=True, twilio_number="+390222222222"
    )
    make_agent("alex", max_interactions=4)
    bea = make_agent("bea", services=[second])
    AgentProfile.objects.filter(pk=bea.pk).update(last_assignment_at=T0)
    make_agent("carla", services=[service, third], presence=Presence.OFFLINE)
    return [service.pk, second.pk, third.pk]


def test_rows_equal_the_orms_for_every_value_and_shape(three_services):
    """Lists of one, two and three ids, in any order: the ORM's rows, datetimes converted (aware)."""
    build, calls = counted(agents_of)
    query = CompiledQuery(build)
    a, b, c = three_services
    for ids in ([a], [b], [c], [a, b], [b, c], [c, a], [a, b, c], [c, b, a]):
        assert query.rows(ids) == list(agents_of(ids)), ids
    # One compilation per shape (lists of 1, 2 and 3 ids), whatever the values.
    assert [len(args[0]) for args, _kwargs in calls] == [1, 2, 3]
    bea_row = next(row for row in query.rows([b]) if row[2] is not None)
    assert bea_row[2] == T0 and bea_row[2].tzinfo is not None
    assert all(isinstance(row[3], bool) for row in query.rows([a, b, c]))


def test_scalar_values_and_constants(service, three_services):
    """An int value is a parameter; a constant (here a LIMIT) is part of the shape."""
    contacts = [Contact.objects.create(address=f"+3933300000{n}") for n in range(4)]
    for n, contact in enumerate(contacts):
        Interaction.objects.create(
            service=service, contact=contact, queued_at=datetime(2026, 3, 2, 9, n, tzinfo=UTC)
        )

    def oldest(service_id, limit):
        return (
            Interaction.objects.filter(service_id=service_id, state="queued")
            .order_by("queued_at", "pk")
            .values_list("pk", "queued_at")[:limit]
        )

    build, calls = counted(oldest)
    query = CompiledQuery(build)
    for limit in (1, 2, 4, 2, 1):
        assert query.rows(service.pk, limit=limit) == list(oldest(service.pk, limit))
    assert query.rows(three_services[1], limit=2) == []
    assert [kwargs["limit"] for _args, kwargs in calls] == [1, 2, 4]


def test_locking_query_inside_a_transaction(three_services):
    """A select_for_update query compiles and runs inside a transaction (as routing calls it)."""
    query = CompiledQuery(
        lambda ids: eligible_agents_for_update(ids).values_list("pk", "max_interactions")
    )
    with transaction.atomic():
        rows = query.rows(three_services[:1])
        # carla is offline: not eligible; alex is.
        assert rows == list(
            eligible_agents_for_update(three_services[:1]).values_list("pk", "max_interactions")
        )
        assert [max_interactions for _pk, max_interactions in rows] == [4]


def test_a_value_the_sql_does_not_carry_as_a_parameter_is_refused(service):
    """A value turned into something else (here text) or used twice cannot be swapped: ValueError."""
    as_text = CompiledQuery(lambda n: Contact.objects.filter(address=str(n)).values_list("pk"))
    with pytest.raises(ValueError, match="exactly once"):
        as_text.rows(3)
    twice = CompiledQuery(
        lambda pk: Contact.objects.filter(pk__gte=pk).exclude(pk=pk).values_list("pk")
    )
    with pytest.raises(ValueError, match="exactly once"):
        twice.rows(1)
