"""Measures whose records other parts of OCC keep: SLA breaches and customer satisfaction (CSAT).

Each measure is one function from the conversations of a report to its
figures, or None while OCC records nothing it could be computed from: the
page, the CSV and the API then say "not recorded yet" instead of showing a
zero that would read as "no breaches" or "nobody answered".

When the records exist, the function's body becomes the query, e.g. for
SLA breaches kept as rows pointing at their interaction:

    def sla_breaches(interactions):
        breaches = SlaBreach.objects.filter(interaction__in=interactions)
        return SlaFigures(
            breaches=breaches.count(),
            conversations=interactions.filter(sla_breaches__isnull=False).distinct().count(),
        )

and nothing else changes: reports/selectors.py, the page, the CSV and the
API read these dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

CSAT_SCALE = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class SlaFigures:
    """Breaches of a service level (e.g. first response within N minutes)."""

    breaches: int
    # Conversations with at least one breach.
    conversations: int


@dataclass(frozen=True)
class CsatFigures:
    """Customers' answers to the satisfaction question, on a 1–5 scale."""

    responses: int
    average: float | None
    # score → number of answers, every score of CSAT_SCALE present.
    distribution: dict[int, int] = field(default_factory=dict)


def sla_breaches(opened: QuerySet) -> SlaFigures | None:
    """Missed first-response targets of the conversations opened in the range (interactions.SlaBreach)."""
    from interactions.models import SlaBreach

    breaches = SlaBreach.objects.filter(interaction__in=opened.values("pk"))
    return SlaFigures(
        breaches=breaches.count(),
        conversations=breaches.values("interaction_id").distinct().count(),
    )


def csat(closed: QuerySet) -> CsatFigures | None:
    """Satisfaction scores of the conversations closed in the range (interactions.Survey)."""
    from interactions.models import Survey

    answered = Survey.objects.filter(interaction__in=closed.values("pk"), score__isnull=False)
    # Counted by score in the database: as many rows as scores, not as answers.
    by_score = answered.values_list("score").annotate(n=Count("pk")).order_by()
    return csat_from_counts({score: n for score, n in by_score if score})


def csat_from_counts(counts: dict[int, int]) -> CsatFigures:
    """CsatFigures from {score: number of answers}."""
    distribution = {score: 0 for score in CSAT_SCALE}
    distribution.update(counts)
    responses = sum(counts.values())
    total = sum(score * n for score, n in counts.items())
    average = total / responses if responses else None
    return CsatFigures(responses=responses, average=average, distribution=distribution)


def csat_figures(scores: list[int]) -> CsatFigures:
    """CsatFigures from the list of scores (for the function above once answers are stored)."""
    distribution = {score: 0 for score in CSAT_SCALE}
    for score in scores:
        distribution[score] = distribution.get(score, 0) + 1
    average = sum(scores) / len(scores) if scores else None
    return CsatFigures(responses=len(scores), average=average, distribution=distribution)
