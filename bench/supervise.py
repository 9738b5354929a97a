"""The supervisor's live view with 200 agents and 2,000 open conversations (a benchmark, not a test).

    .venv/bin/python -m bench.supervise                  # seeds like bench.reports, then measures
    .venv/bin/python -m bench.supervise --reuse          # keep what an earlier run seeded

What is timed is what the desk's WebSocket sends a supervisor on each
refresh: `desk.selectors.supervisor_snapshot()` serialised to JSON, in
this process (no network), at a moment at the end of the last seeded day
(so "today" is a full day of conversations and replies). Beside it, in the
same run and alternated with it, the same snapshot built the way it was
before this round (`before_snapshot` below: the 2,000 open conversations
as model objects with their service, contact, agent and user, and the
first responses today read by a subquery per conversation of the last 8
days). Both answers are compared before timing. Prints median and p95 of
each, their ratio, the number of queries, the time the queries took (one
run, as Django measures it), this process's CPU time (the Python side),
and the plan of the slowest query.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime, timedelta


def parse_args(argv=None) -> argparse.Namespace:
    from bench import reports

    parser = reports.build_parser(
        prog="python -m bench.supervise", description=__doc__.split("\n\n")[0]
    )
    parser.set_defaults(runs=20)
    return parser.parse_args(argv)


# --- the shape before this round (for the baseline only) ---------------------------------------


def before_snapshot(*, now: datetime) -> dict:
    """The snapshot as it was built before this round (its code, copied): model objects with a
    prefetch, the first assignment from the history, and a subquery per conversation."""
    from django.db.models import OuterRef, Subquery

    from agents.models import AgentProfile
    from desk import selectors as desk
    from interactions.models import Direction, Interaction, Message
    from interactions.payloads import iso

    snapshot = _before_core(now=now)
    agents = list(AgentProfile.objects.filter(pk__in=[a["id"] for a in snapshot["agents"]]))
    ids = [a.pk for a in agents]
    presence = desk.presence_today(agents, now)
    first_human = Message.objects.filter(
        interaction=OuterRef("pk"), direction=Direction.OUTBOUND, sender__isnull=False
    ).order_by("created_at", "pk")
    start = desk.day_start(now)
    replies = (
        Interaction.objects.filter(
            first_reply_at__lte=now, first_reply_at__gte=start - timedelta(days=7)
        )
        .annotate(
            replier=Subquery(first_human.values("sender__agent_profile__id")[:1]),
            replied_at=Subquery(first_human.values("created_at")[:1]),
        )
        .filter(replier__in=ids, replied_at__gte=start, replied_at__lte=now)
        .values_list("replier", "created_at", "replied_at")
    )
    times: dict[int, list[float]] = {}
    for replier, created, replied in replies:
        times.setdefault(replier, []).append((replied - created).total_seconds())
    since = {a.pk: a.presence_changed_at for a in agents}
    for row in snapshot["agents"]:
        values = times.get(row["id"], [])
        row["presence_since"] = iso(since.get(row["id"]))
        row["presence_seconds_today"] = presence.get(row["id"], {})
        row["first_responses_today"] = {
            "count": len(values),
            "median_seconds": round(statistics.median(values)) if values else None,
        }
    snapshot["day_started_at"] = iso(start)
    return snapshot


def _before_core(*, now: datetime) -> dict:
    """Queues, agents' presence and load, open interactions, and the last 24 hours as series."""
    from django.db.models import Count, Min

    from interactions.models import Interaction, InteractionState
    from interactions.payloads import interaction_dict, iso
    from interactions.selectors import open_counts
    from services.models import Service

    services = []
    queue_rows = {
        row["service_id"]: row
        for row in Interaction.objects.filter(state=InteractionState.QUEUED)
        .values("service_id")
        .annotate(n=Count("id"), oldest=Min("queued_at"))
    }
    for service in Service.objects.order_by("name"):
        row = queue_rows.get(service.pk)
        services.append(
            {
                "id": service.pk,
                "name": service.name,
                "queue_length": row["n"] if row else 0,
                "longest_wait_seconds": int((now - row["oldest"]).total_seconds()) if row else 0,
            }
        )
    from agents.models import AgentProfile

    agents = list(
        AgentProfile.objects.select_related("user")
        .prefetch_related("services")
        .order_by("user__username")
    )
    counts = open_counts(a.pk for a in agents)
    agent_rows = [
        {
            "id": a.pk,
            "name": a.display_name,
            "presence": a.presence,
            "open_interactions": counts.get(a.pk, 0),
            "max_interactions": a.max_interactions,
            "service_ids": [service.pk for service in a.services.all()],
        }
        for a in agents
    ]
    open_rows = []
    for item in (
        Interaction.objects.filter(state__in=[InteractionState.QUEUED, InteractionState.ASSIGNED])
        .select_related("service", "contact", "agent__user")
        .order_by("queued_at", "pk")
    ):
        data = interaction_dict(item)
        data["agent_name"] = item.agent.display_name if item.agent else ""
        data["waiting_seconds"] = (
            int((now - item.queued_at).total_seconds())
            if item.state == InteractionState.QUEUED
            else 0
        )
        open_rows.append(data)
    return {
        "type": "supervisor",
        "server_time": iso(now),
        "services": services,
        "agents": agent_rows,
        "interactions": open_rows,
        "charts": _before_last_24_hours(now=now),
    }


def _before_last_24_hours(*, now: datetime) -> dict:
    """Per hour of the last 24: interactions opened, median time to first reply, longest wait.

    The wait of an interaction is from entering the queue to its first
    assignment (or until now for one still waiting).
    """
    from django.db.models import Min, Q

    from interactions.models import Interaction, InteractionState
    from interactions.payloads import iso

    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=24)
    hours = [start + timedelta(hours=i) for i in range(24)]
    rows = (
        Interaction.objects.filter(created_at__gte=start)
        .annotate(
            first_assigned=Min("events__at", filter=Q(events__kind__in=["assigned", "transferred"]))
        )
        .values("created_at", "first_reply_at", "queued_at", "first_assigned", "state")
    )
    opened = [0] * 24
    replies: list[list[float]] = [[] for _ in range(24)]
    waits = [0.0] * 24
    for row in rows:
        index = int((row["created_at"] - start).total_seconds() // 3600)
        if not 0 <= index < 24:
            continue
        opened[index] += 1
        if row["first_reply_at"]:
            replies[index].append((row["first_reply_at"] - row["created_at"]).total_seconds())
        assigned = row["first_assigned"] or (
            now if row["state"] == InteractionState.QUEUED else None
        )
        if assigned:
            waits[index] = max(waits[index], (assigned - row["queued_at"]).total_seconds())
    return {
        "hours": [iso(h) for h in hours],
        "interactions": opened,
        "median_first_reply_seconds": [round(statistics.median(r)) if r else None for r in replies],
        "longest_wait_seconds": [round(w) for w in waits],
    }


# --- measuring ---------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(now: datetime, runs: int) -> dict:
    """Median and p95 (ms) of the snapshot + JSON, before and after, alternated; query counts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from desk import selectors as desk

    shapes = {
        "before": lambda: before_snapshot(now=now),
        "after": lambda: desk.supervisor_snapshot(now=now),
    }
    answers = {name: shape() for name, shape in shapes.items()}  # warm-up, and the same answer
    assert answers["before"] == answers["after"], "the two shapes disagree"
    times: dict[str, list[float]] = {name: [] for name in shapes}
    # This process's CPU (Python: building the rows and the JSON), apart from the wall clock.
    cpu: dict[str, list[float]] = {name: [] for name in shapes}
    for _ in range(runs):
        for name, shape in shapes.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            json.dumps(shape())
            times[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    result: dict = {}
    for name, shape in shapes.items():
        with CaptureQueriesContext(connection) as captured:
            shape()
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        result[name] = {
            "median_ms": statistics.median(times[name]),
            "python_cpu_median_ms": statistics.median(cpu[name]),
            "sql_ms": sum(float(q["time"]) for q in captured.captured_queries) * 1000,
            "p95_ms": p95(times[name]),
            "runs_ms": times[name],
            "queries": len(captured.captured_queries),
            "slowest_sql": slowest["sql"],
        }
    snapshot = answers["after"]
    result["agents"] = len(snapshot["agents"])
    result["open"] = len(snapshot["interactions"])
    result["first_responses_today"] = sum(
        a["first_responses_today"]["count"] for a in snapshot["agents"]
    )
    return result


def main(argv=None) -> int:
    from bench import reports

    args = parse_args(argv)
    end = reports.prepare(args)
    from django.conf import settings

    settings.DEBUG = False
    # A moment at the end of the last seeded day: "today" holds a full day of replies.
    now = end - timedelta(minutes=1)
    result = measure(now, args.runs)
    print(
        f"\nsupervisor live view at {now:%Y-%m-%d %H:%M} UTC: {result['agents']} agents, "
        f"{result['open']:,} open conversations, {result['first_responses_today']:,} first "
        f"responses today; snapshot + JSON, {args.runs} runs each, alternated"
    )
    print(
        f"{'':<8} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'SQL ms':>8} {'Python CPU ms':>14}"
    )
    for name in ("before", "after"):
        row = result[name]
        print(
            f"{name:<8} {row['median_ms']:10.1f} {row['p95_ms']:9.1f} {row['queries']:8d} "
            f"{row['sql_ms']:8.1f} {row['python_cpu_median_ms']:14.1f}"
        )
    ratio = result["before"]["median_ms"] / result["after"]["median_ms"]
    print(f"ratio of medians: {ratio:.1f}×   (target: after ≤ 100 ms)")
    if not args.no_plans:
        print("\nEXPLAIN ANALYZE of the slowest query, after:")
        print(reports.explain(result["after"]["slowest_sql"]))
        print("\nEXPLAIN ANALYZE of the slowest query, before:")
        print(reports.explain(result["before"]["slowest_sql"]))
    out = reports.ROOT / "bench" / "results" / "supervise-latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    print(f"\nwritten: {out.relative_to(reports.ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
