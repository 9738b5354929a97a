"""The report benchmark's seed, small, on PostgreSQL: it makes what it says, and the reports count it right."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bench.reports import parse_args, seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_seed_and_the_reports_agree_with_plain_counts():
    from interactions.models import AssignmentEvent, Interaction, Message
    from reports import selectors

    args = parse_args(["--interactions", "3000", "--messages", "9000", "--open", "200"])
    end = datetime(2026, 12, 1, tzinfo=UTC)
    seed(args, end)
    assert Interaction.objects.count() == 3000 and Message.objects.count() == 9000
    assert Interaction.objects.filter(state__in=["queued", "assigned"]).count() == 200
    assert Interaction.objects.filter(state="assigned", agent__isnull=True).count() == 0
    never = Interaction.objects.filter(state="closed", assigned_at__isnull=True)
    assert (
        never.count()
        == Interaction.objects.filter(
            state="closed", id__in=[i for i in range(1, 2801) if i % 33 == 0]
        ).count()
        > 0
    )
    assigned = AssignmentEvent.objects.filter(kind="assigned").count()
    assert assigned == Interaction.objects.filter(first_assigned_at__isnull=False).count()

    scope = selectors.Scope(
        start=(end - timedelta(days=90)).date(), end=(end - timedelta(days=1)).date(), tz=UTC
    )
    report = selectors.report(scope)
    in_range = Interaction.objects.filter(
        created_at__gte=scope.start_at, created_at__lt=scope.end_at
    )
    assert report.opened == in_range.count() > 0
    assert (
        report.closed
        == Interaction.objects.filter(
            closed_at__gte=scope.start_at, closed_at__lt=scope.end_at
        ).count()
    )
    assert sum(report.by_hour) == report.opened
    assert report.first_response.count == in_range.filter(first_reply_at__isnull=False).count()
