"""The report's figures against a plain computation over the same rows (random, seeded), and the
PostgreSQL fast path (15-minute UTC buckets) against its general query (each row converted).

The rows straddle the end of daylight saving time in Europe (25 October 2026) and are read in
time zones with whole-, half- and quarter-hour offsets, and in one with a historical offset of
−0:44:30, where the buckets do not fit local hours and the general query must answer.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from interactions.models import CloseReason, Contact, Interaction, InteractionState, Label
from reports import selectors
from reports.selectors import Scope

pytestmark = pytest.mark.django_db

UTC = ZoneInfo("UTC")
ZONES = ["Europe/Rome", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns", "UTC"]


def build(service_pairs, agents, labels, reasons, *, around: datetime, n: int, seed: int):
    """n conversations spread over ±6 days of `around`, with random durations and filters."""
    from interactions.models import SlaBreach, Survey

    rng = random.Random(seed)
    for i in range(n):
        created = around + timedelta(seconds=rng.randint(-6 * 86400, 6 * 86400))
        service = rng.choice(service_pairs)
        agent = rng.choice([None, *agents])
        assigned = None if agent is None else created + timedelta(seconds=rng.randint(0, 900))
        reply = None if assigned is None else assigned + timedelta(seconds=rng.randint(1, 3000))
        closes = rng.random() < 0.8
        closed = created + timedelta(seconds=rng.randint(60, 2 * 86400)) if closes else None
        state = (
            InteractionState.CLOSED
            if closed
            else (InteractionState.ASSIGNED if agent else InteractionState.QUEUED)
        )
        item = Interaction.objects.create(
            service=service,
            contact=Contact.objects.create(address=f"+39333{seed:02d}{i:05d}"),
            created_at=created,
            queued_at=created,
            assigned_at=assigned,
            first_assigned_at=assigned,
            first_reply_at=reply,
            closed_at=closed,
            state=state,
            agent=agent,
            close_reason=rng.choice([None, *reasons]) if closed else None,
        )
        item.labels.set(rng.sample(labels, rng.randint(0, min(2, len(labels)))))
        if closed and rng.random() < 0.4:
            Survey.objects.create(
                interaction=item,
                contact=item.contact,
                service=service,
                answer_until=closed + timedelta(days=1),
                score=rng.randint(1, 5),
                state=Survey.State.SCORED,
            )
        if assigned and rng.random() < 0.2:
            for _ in range(rng.randint(1, 2)):
                SlaBreach.objects.create(
                    interaction=item,
                    service=service,
                    agent=agent,
                    target_minutes=1,
                    assigned_at=assigned,
                    outcome=SlaBreach.Outcome.REQUEUED,
                )


def plain(scope: Scope) -> dict:
    """Every figure from the rows, read one by one and computed here."""
    from interactions.models import SlaBreach, Survey

    rows = list(selectors.scoped(scope).distinct())
    opened = [i for i in rows if scope.start_at <= i.created_at < scope.end_at]
    closed = [i for i in rows if i.closed_at and scope.start_at <= i.closed_at < scope.end_at]

    def dist(values):
        values = sorted(values)
        return (
            len(values),
            selectors.percentile(values, 0.5),
            selectors.percentile(values, 0.9),
        )

    grid = [[0] * 24 for _ in range(7)]
    daily = {day: [0, 0] for day in scope.days}
    for i in opened:
        local = i.created_at.astimezone(scope.tz)
        grid[local.isoweekday() - 1][local.hour] += 1
        daily[local.date()][0] += 1
    for i in closed:
        daily[i.closed_at.astimezone(scope.tz).date()][1] += 1
    breaches = SlaBreach.objects.filter(interaction__in=[i.pk for i in opened])
    scores = list(
        Survey.objects.filter(
            interaction__in=[i.pk for i in closed], score__isnull=False
        ).values_list("score", flat=True)
    )
    return {
        "opened": len(opened),
        "closed": len(closed),
        "abandoned": sum(1 for i in closed if i.assigned_at is None),
        "first_response": dist(
            (i.first_reply_at - i.created_at).total_seconds() for i in opened if i.first_reply_at
        ),
        "queue_wait": dist(
            (i.first_assigned_at - i.queued_at).total_seconds()
            for i in opened
            if i.first_assigned_at
        ),
        "resolution": dist((i.closed_at - i.created_at).total_seconds() for i in closed),
        "heatmap": grid,
        "daily": [(day, *daily[day]) for day in scope.days],
        "sla": (breaches.count(), len({b.interaction_id for b in breaches})),
        "csat": (len(scores), sum(scores) / len(scores) if scores else None),
    }


def figures(report: selectors.Report) -> dict:
    def dist(d):
        return (d.count, d.median, d.p90)

    return {
        "opened": report.opened,
        "closed": report.closed,
        "abandoned": report.abandoned,
        "first_response": dist(report.first_response),
        "queue_wait": dist(report.queue_wait),
        "resolution": dist(report.resolution),
        "heatmap": report.heatmap,
        "daily": report.daily,
        "sla": (report.sla.breaches, report.sla.conversations) if report.sla else None,
        "csat": (report.csat.responses, report.csat.average) if report.csat else None,
    }


def assert_same(found: dict, expected: dict) -> None:
    for key, value in expected.items():
        if key in ("first_response", "queue_wait", "resolution", "csat"):
            assert found[key] == pytest.approx(value, abs=1e-6), key
        else:
            assert found[key] == value, key


@pytest.fixture
def dataset(service, make_agent):
    from services.models import Service

    other = Service.objects.create(name="Sales")
    agents = [make_agent("ann"), make_agent("bob")]
    labels = [Label.objects.create(name=f"l{i}") for i in range(3)]
    reasons = [CloseReason.objects.create(name=f"r{i}") for i in range(2)]
    build(
        [service, other],
        agents,
        labels,
        reasons,
        around=datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        n=160,
        seed=7,
    )
    return {"service": other, "agent": agents[0], "label": labels[0], "reason": reasons[1]}


@pytest.mark.parametrize("zone", ZONES)
def test_every_figure_is_the_plain_computation(dataset, zone):
    scope = Scope(start=date(2026, 10, 21), end=date(2026, 10, 28), tz=ZoneInfo(zone))
    assert_same(figures(selectors.report(scope)), plain(scope))


@pytest.mark.parametrize(
    "filters",
    [
        {"service_id": "service"},
        {"agent_id": "agent"},
        {"label_id": "label"},
        {"close_reason_id": "reason"},
    ],
)
def test_filtered_figures_are_the_plain_computation(dataset, filters):
    given = {name: dataset[key].pk for name, key in filters.items()}
    scope = Scope(
        start=date(2026, 10, 22), end=date(2026, 10, 27), tz=ZoneInfo("Europe/Rome"), **given
    )
    expected = plain(scope)
    assert expected["opened"] > 5  # the filter keeps something to compare
    assert_same(figures(selectors.report(scope)), expected)


@pytest.mark.postgres
@pytest.mark.parametrize("zone", [*ZONES, "Africa/Monrovia"])
def test_the_buckets_give_what_converting_each_row_gives(service, make_agent, zone):
    """PostgreSQL's fast path and its general query, over the same rows."""
    around = datetime(1971, 6, 1, tzinfo=UTC) if zone == "Africa/Monrovia" else None
    build(
        [service],
        [make_agent("ann")],
        [Label.objects.create(name="l")],
        [],
        around=around or datetime(2026, 10, 25, 1, 0, tzinfo=UTC),
        n=120,
        seed=11,
    )
    day = (around or datetime(2026, 10, 25, tzinfo=UTC)).date()
    scope = Scope(start=day - timedelta(days=4), end=day + timedelta(days=3), tz=ZoneInfo(zone))
    buckets = selectors.utc_buckets(selectors.opened(scope), "created_at")
    hours = selectors.local_hours(buckets, scope.tz)
    converting = selectors.opened_by_day_and_hour_converting(scope)
    if zone == "Africa/Monrovia":
        # −0:44:30 in 1971: buckets straddle local hours, so the report converts each row.
        assert hours is None
    else:
        assert hours == converting
    assert selectors.opened_by_day_and_hour(scope) == converting
    assert selectors.closed_by_day(scope) == selectors.closed_by_day_converting(scope)
    assert sum(converting.values()) == selectors.opened(scope).count() > 50
