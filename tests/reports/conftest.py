"""A week of conversations with hand-computed figures (Europe/Rome, 2–8 March 2026, before DST).

Each conversation: (service, local creation time, seconds to the first
assignment, to the first reply, to the close; labels, close reason, agent).

In the range, all services: opened 6 (#1 #2 #3 #4 #7 #8), closed 5
(#1 #2 #4 #5 #7), abandoned 1 (#4).
    first response  [50, 120, 200, 300, 400]      median 200, p90 360
    queue wait      [10, 30, 60, 90, 100]         median 60,  p90 96   (#8: first assignment, not the transfer)
    resolution      [100, 600, 660, 1200, 3600]   median 660, p90 2640
Service "Care" only: first response [120, 200, 300, 400] median 250, p90 370;
resolution [600, 660, 1200, 3600] median 930, p90 2880.
Label "billing" (#1 #7): first response [50, 120] median 85, p90 113.
Close reason "solved" (#2 #5): resolution [660, 3600] median 2130, p90 3306.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

ROME = ZoneInfo("Europe/Rome")


def local(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ROME)


@pytest.fixture
def week(db, django_user_model):
    from agents.models import AgentProfile
    from interactions.models import (
        AssignmentEvent,
        CloseReason,
        Contact,
        Interaction,
        InteractionState,
        Label,
    )
    from services.models import Service

    care = Service.objects.create(name="Care")
    sales = Service.objects.create(name="Sales")
    billing = Label.objects.create(name="billing")
    solved = CloseReason.objects.create(name="solved")
    xavier = AgentProfile.objects.create(
        user=django_user_model.objects.create_user("xavier", password="x-pass-123456")
    )
    yara = AgentProfile.objects.create(
        user=django_user_model.objects.create_user("yara", password="y-pass-123456")
    )
    made = {}

    def make(
        number,
        service,
        created,
        *,
        assigned=None,
        transferred=None,
        reply=None,
        close=None,
        agent=None,
        labels=(),
        reason=None,
    ):
        def after(seconds):
            return created + timedelta(seconds=seconds) if seconds is not None else None

        contact = Contact.objects.create(address=f"+3933300000{number:02d}")
        last_assignment = after(transferred) or after(assigned)
        item = Interaction.objects.create(
            service=service,
            contact=contact,
            created_at=created,
            queued_at=created,
            assigned_at=last_assignment,
            first_assigned_at=after(assigned),
            first_reply_at=after(reply),
            closed_at=after(close),
            state=InteractionState.CLOSED
            if close is not None
            else (InteractionState.ASSIGNED if agent else InteractionState.QUEUED),
            agent=agent,
            close_reason=reason,
        )
        item.labels.set(labels)
        AssignmentEvent.objects.create(interaction=item, kind="queued", at=created)
        if assigned is not None:
            AssignmentEvent.objects.create(
                interaction=item, kind="assigned", agent=xavier, at=after(assigned)
            )
        if transferred is not None:
            AssignmentEvent.objects.create(
                interaction=item, kind="transferred", agent=agent, at=after(transferred)
            )
        if close is not None:
            AssignmentEvent.objects.create(interaction=item, kind="closed", at=after(close))
        made[number] = item
        return item

    make(
        1, care, local(2, 9, 10), assigned=60, reply=120, close=600, agent=xavier, labels=[billing]
    )
    make(2, care, local(2, 9, 40), assigned=30, reply=300, close=3600, agent=xavier, reason=solved)
    make(3, care, local(4, 0, 30), assigned=90, reply=200, agent=yara)  # Wed 00:30 = Tue 23:30 UTC
    make(4, care, local(5, 10), close=1200)  # never assigned: abandoned
    make(5, care, local(1, 23, 59), assigned=20, reply=30, close=660, agent=yara, reason=solved)
    make(
        6, care, local(9, 0, 10), assigned=5, reply=10, agent=yara
    )  # Sun 8 23:10 UTC: after the range
    make(7, sales, local(7, 18), assigned=10, reply=50, close=100, agent=yara, labels=[billing])
    make(8, care, local(6, 14), assigned=100, transferred=500, reply=400, agent=yara)
    # Satisfaction answers on two closed conversations (4 and 2 of 5) and one missed
    # first-response target on an open one.
    from interactions.models import SlaBreach, Survey

    for number, score in ((1, 4), (2, 2)):
        item = made[number]
        Survey.objects.create(
            interaction=item,
            contact=item.contact,
            service=item.service,
            state=Survey.State.SCORED,
            answer_until=item.closed_at + timedelta(days=1),
            score=score,
        )
    SlaBreach.objects.create(
        interaction=made[3],
        service=care,
        agent=made[3].agent,
        target_minutes=1,
        assigned_at=made[3].assigned_at,
        at=made[3].assigned_at + timedelta(minutes=1),
        outcome=SlaBreach.Outcome.REQUEUED,
    )
    return SimpleNamespace(
        care=care,
        sales=sales,
        billing=billing,
        solved=solved,
        xavier=xavier,
        yara=yara,
        interactions=made,
        start=date(2026, 3, 2),
        end=date(2026, 3, 8),
        tz=ROME,
    )


@pytest.fixture
def scope(week):
    """scope(**filters) → the week's Scope with those filters."""
    from reports.selectors import Scope

    def make(**filters):
        return Scope(start=week.start, end=week.end, tz=week.tz, **filters)

    return make
