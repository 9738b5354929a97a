"""Reports over a million conversations, and the supervisor's live view (a benchmark, not a test).

    .venv/bin/python -m bench.reports                                  # full size: 1,000,000 / 5,000,000
    .venv/bin/python -m bench.reports --interactions 100000 --messages 500000
    .venv/bin/python -m bench.reports --reuse                          # keep what an earlier run seeded

Seeds a PostgreSQL database (occ_reports by default, migrated here; its
contents are replaced) with generate_series: 10 services, 200 agents,
8 labels, 5 close reasons, contacts, --interactions conversations spread
over two years (all closed but --open, half of those queued, half
assigned; one in 33 closed without ever being assigned), their history
(queued, assigned, closed), a label on one in four, and --messages
messages. Then, in this process through Django's full middleware stack
(the test client; no network), it times each report for the last 90 days,
unfiltered and with each filter: the page, its CSV and the API; and the
supervisor's live view (desk.selectors.supervisor_snapshot, what
the WebSocket sends a supervisor, serialised to JSON). Medians over
--runs runs after one warm-up, beside two baselines measured in the same
run. Prints the indexes and the EXPLAIN ANALYZE plans the reports rely on.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLES = (
    "interactions_interaction",
    "interactions_assignmentevent",
    "interactions_interaction_labels",
    "interactions_message",
)


def parse_args(argv=None) -> argparse.Namespace:
    return build_parser("python -m bench.reports", __doc__.split("\n\n")[0]).parse_args(argv)


def build_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The options of the seed and the runs (bench.supervise shares them)."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_REPORTS_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/occ_reports"
        ),
    )
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=5_000_000)
    parser.add_argument("--open", type=int, default=2_000, help="open conversations (live view)")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument("--span-days", type=int, default=730, help="days the conversations cover")
    parser.add_argument("--range-days", type=int, default=90, help="days each report covers")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measure (median)")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the seeded data if its size matches"
    )
    parser.add_argument("--no-plans", action="store_true", help="skip the EXPLAIN ANALYZE plans")
    return parser


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "occ.settings")
    os.environ.setdefault("OCC_SECRET_KEY", "bench-reports-not-secret")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database(database_url: str) -> None:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


# --- seeding -------------------------------------------------------------------------------------


def _defaults_for(model, given: set[str]) -> tuple[list[str], list]:
    """Columns of `model` the seed does not name, NOT NULL in the database, with their default.

    So a column added to the model later does not break the seed.
    """
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given or field.null:
            continue
        value = field.get_default()  # "" for text without a default
        if value is None:
            raise SystemExit(f"the seed does not fill {model.__name__}.{field.name}")
        columns.append(field.column)
        values.append(field.get_db_prep_save(value, connection=_connection()))
    return columns, values


def _connection():
    from django.db import connection

    return connection


def insert_select(
    cursor,
    model,
    expressions: dict[str, str],
    source: str,
    *,
    expression_params=(),
    source_params=(),
) -> int:
    """INSERT INTO model's table (expressions' columns + defaults) SELECT expressions FROM source.

    `%` in the SQL is the modulo operator; `%s` a placeholder (in the order of the text:
    the expressions', the defaults', the source's).
    """
    extra_columns, extra_values = _defaults_for(model, set(expressions))
    columns = [*expressions, *extra_columns]
    select = [*expressions.values(), *(["%s"] * len(extra_values))]
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(select)} FROM {source}"
    )
    sql = sql.replace("%", "%%").replace("%%s", "%s")
    cursor.execute(sql, [*expression_params, *extra_values, *source_params])
    return cursor.rowcount


def seeded_size() -> tuple[int, int]:
    from interactions.models import Interaction, Message

    return Interaction.objects.count(), Message.objects.count()


def seed(args: argparse.Namespace, end: datetime) -> dict:
    """Replace the database's contents by the benchmark's; the seconds each step took."""
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from agents.models import AgentProfile, Presence
    from interactions.models import (
        AssignmentEvent,
        CloseReason,
        Contact,
        Interaction,
        Label,
        Message,
    )
    from services.models import Service

    timings: dict[str, float] = {}
    n, open_count = args.interactions, args.open
    closed_contacts = max(1, min(200_000, n - open_count))
    with _connection().cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            "TRUNCATE interactions_message, interactions_assignmentevent, "
            "interactions_interaction_labels, interactions_interaction, interactions_contact, "
            "interactions_label, interactions_closereason, agents_agentprofile_services, "
            "agents_agentprofile, services_service RESTART IDENTITY CASCADE"
        )
        get_user_model().objects.filter(username__startswith="bench-").delete()
        timings["truncate"] = time.perf_counter() - started

    with transaction.atomic():
        services = Service.objects.bulk_create(
            [Service(name=f"Service {i + 1}", chat_enabled=True) for i in range(args.services)]
        )
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench-agent-{i:03d}") for i in range(args.agents)]
        )
        profiles = AgentProfile.objects.bulk_create(
            [
                AgentProfile(user=user, max_interactions=8, presence=Presence.ONLINE)
                for user in users
            ]
        )
        through = AgentProfile.services.through
        through.objects.bulk_create(
            [
                through(agentprofile_id=p.pk, service_id=services[i % len(services)].pk)
                for i, p in enumerate(profiles)
            ]
        )
        labels = Label.objects.bulk_create([Label(name=f"label-{i + 1}") for i in range(8)])
        reasons = CloseReason.objects.bulk_create(
            [CloseReason(name=f"reason-{i + 1}", position=i) for i in range(5)]
        )
        get_user_model().objects.create_user(
            "bench-supervisor", password=None, is_staff=True, is_superuser=True
        )

    step = timedelta(days=args.span_days) / n
    start = end - timedelta(days=args.span_days)
    with transaction.atomic(), _connection().cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        started = time.perf_counter()
        insert_select(
            cursor,
            Contact,
            {
                "channel": "'whatsapp'",
                "address": "'+39' || (3000000000 + g)::text",
                "name": "'Customer ' || g::text",
                "created_at": "%s",
                "updated_at": "%s",
            },
            "generate_series(1, %s) g",
            expression_params=[start, start],
            source_params=[closed_contacts + open_count],
        )
        timings["contacts"] = time.perf_counter() - started

        started = time.perf_counter()
        # s: one row per conversation g with its times (seconds after its creation t).
        source = """(
            SELECT g, t, is_open,
                   CASE WHEN is_open THEN g % 2 = 1 ELSE g % 33 = 0 END AS never_assigned,
                   (g * 37) % 600 AS wait, 30 + (g * 13) % 900 AS reply,
                   (g * 17) % 7200 AS handle
            FROM (
                SELECT g, %s::timestamptz + (g - 1) * %s::interval + ((g * 7919) % 3600) * interval '1 second' AS t,
                       g > %s AS is_open
                FROM generate_series(1::bigint, %s::bigint) g
            ) base
        ) s"""
        sec = "interval '1 second'"
        inserted = insert_select(
            cursor,
            Interaction,
            {
                "service_id": f"{services[0].pk} + g % {len(services)}",
                "contact_id": (
                    f"CASE WHEN is_open THEN {closed_contacts} + g - {n - open_count} "
                    f"ELSE 1 + g % {closed_contacts} END"
                ),
                "channel": "'whatsapp'",
                "state": (
                    "CASE WHEN NOT is_open THEN 'closed' WHEN never_assigned THEN 'queued' "
                    "ELSE 'assigned' END"
                ),
                "agent_id": (
                    f"CASE WHEN never_assigned THEN NULL "
                    f"ELSE {profiles[0].pk} + (g * 31) % {len(profiles)} END"
                ),
                "created_at": "t",
                "queued_at": "t",
                "assigned_at": f"CASE WHEN never_assigned THEN NULL ELSE t + wait * {sec} END",
                "first_assigned_at": (
                    f"CASE WHEN never_assigned THEN NULL ELSE t + wait * {sec} END"
                ),
                "first_reply_at": (
                    f"CASE WHEN never_assigned THEN NULL ELSE t + (wait + reply) * {sec} END"
                ),
                "closed_at": (
                    f"CASE WHEN is_open THEN NULL WHEN never_assigned THEN t + handle / 4 * {sec} "
                    f"ELSE t + (wait + reply + handle) * {sec} END"
                ),
                "last_inbound_at": "t",
                "close_reason_id": (
                    f"CASE WHEN NOT is_open AND g % 3 <> 0 THEN {reasons[0].pk} + g % {len(reasons)} END"
                ),
            },
            source,
            source_params=[start, step, n - open_count, n],
        )
        timings["interactions"] = time.perf_counter() - started

        started = time.perf_counter()
        for kind, at, condition in (
            ("queued", "created_at", "TRUE"),
            ("assigned", "assigned_at", "assigned_at IS NOT NULL"),
            ("closed", "closed_at", "closed_at IS NOT NULL"),
        ):
            insert_select(
                cursor,
                AssignmentEvent,
                {
                    "interaction_id": "id",
                    "kind": f"'{kind}'",
                    "agent_id": "agent_id" if kind != "queued" else "NULL",
                    "at": at,
                },
                f"interactions_interaction WHERE {condition}",
            )
        timings["history"] = time.perf_counter() - started

        started = time.perf_counter()
        cursor.execute(
            "INSERT INTO interactions_interaction_labels (interaction_id, label_id) "
            f"SELECT id, {labels[0].pk} + (id / 4) % {len(labels)} FROM interactions_interaction "
            "WHERE id % 4 = 0"
        )
        timings["labels"] = time.perf_counter() - started

        started = time.perf_counter()
        per = max(1, args.messages // n)
        insert_select(
            cursor,
            Message,
            {
                "interaction_id": "i.id",
                "direction": "CASE WHEN k % 2 = 1 THEN 'in' ELSE 'out' END",
                "body": "'Message ' || k::text || ' of conversation ' || i.id::text",
                "status": "CASE WHEN k % 2 = 1 THEN 'received' ELSE 'delivered' END",
                "send_key": "gen_random_uuid()",
                # The agent's replies are theirs (the live view's first responses today).
                "sender_id": "CASE WHEN k % 2 = 0 THEN a.user_id END",
                # The first reply (k = 2) at the conversation's first_reply_at, as OCC writes it.
                "created_at": (
                    f"CASE WHEN k = 1 OR i.first_reply_at IS NULL THEN i.created_at + (k - 1) * 40 * {sec} "
                    f"ELSE i.first_reply_at + (k - 2) * 40 * {sec} END"
                ),
                "status_updated_at": (
                    f"CASE WHEN k = 1 OR i.first_reply_at IS NULL THEN i.created_at + (k - 1) * 40 * {sec} "
                    f"ELSE i.first_reply_at + (k - 2) * 40 * {sec} END"
                ),
            },
            "interactions_interaction i CROSS JOIN generate_series(1, %s) k "
            "LEFT JOIN agents_agentprofile a ON a.id = i.agent_id",
            source_params=[per],
        )
        timings["messages"] = time.perf_counter() - started
    started = time.perf_counter()
    with _connection().cursor() as cursor:
        for table in (*TABLES, "interactions_contact"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    timings["vacuum_analyze"] = time.perf_counter() - started
    assert inserted == n
    return timings


# --- measuring -----------------------------------------------------------------------------------


def median_ms(run, runs: int) -> tuple[float, list[float]]:
    run()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), times


def variants(end_day: date, range_days: int) -> dict[str, dict]:
    from agents.models import AgentProfile
    from interactions.models import CloseReason, Label
    from services.models import Service

    base = {
        "start": (end_day - timedelta(days=range_days - 1)).isoformat(),
        "end": end_day.isoformat(),
        "tz": "Europe/Rome",
    }
    service = Service.objects.order_by("pk").first()
    label = Label.objects.order_by("pk").first()
    return {
        "all": base,
        "service": {**base, "service": service.pk},
        "agent": {**base, "agent": AgentProfile.objects.order_by("pk").first().pk},
        "label": {**base, "label": label.pk},
        "close_reason": {**base, "close_reason": CloseReason.objects.order_by("pk").first().pk},
        "service+label": {**base, "service": service.pk, "label": label.pk},
    }


def explain(sql: str) -> str:
    with _connection().cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def report_queries(query: dict) -> list[str]:
    from django.test.utils import CaptureQueriesContext

    from reports import selectors
    from reports.forms import ReportForm

    form = ReportForm(query)
    assert form.is_valid(), form.errors
    with CaptureQueriesContext(_connection()) as captured:
        selectors.report(form.scope())
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
    ]


def report_sql_ms(query: dict) -> float:
    """The time the report's queries took in the database, as Django measures it (one report)."""
    from django.test.utils import CaptureQueriesContext

    from reports import selectors
    from reports.forms import ReportForm

    form = ReportForm(query)
    assert form.is_valid(), form.errors
    with CaptureQueriesContext(_connection()) as captured:
        selectors.report(form.scope())
    return sum(float(q["time"]) for q in captured.captured_queries) * 1000


def indexes() -> list[str]:
    with _connection().cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "ORDER BY tablename, indexname",
            [list(TABLES)],
        )
        return [f"{table}: {definition}" for table, _name, definition in cursor.fetchall()]


def prepare(args: argparse.Namespace, results: dict | None = None) -> datetime:
    """Set up Django on the benchmark's database, migrate, seed (or reuse); the seed's end (midnight UTC)."""
    ensure_database(args.database_url)
    setup_django(args.database_url)
    from django.core.management import call_command

    from interactions.models import Interaction

    results = {} if results is None else results
    call_command("migrate", verbosity=0)
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    have = seeded_size()
    if args.reuse and have[0] == args.interactions and have[1] >= args.messages * 0.99:
        print(f"reusing the seeded data: {have[0]:,} conversations, {have[1]:,} messages")
        # A migration may have rewritten rows: fresh statistics and visibility map, as after a seed.
        with _connection().cursor() as cursor:
            for table in (*TABLES, "interactions_contact"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        latest = Interaction.objects.order_by("-created_at").values_list("created_at", flat=True)[0]
        # The seed's end: its last conversations are at most an hour past it (the jitter).
        latest -= timedelta(hours=1)
        end = latest.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    else:
        print(
            f"seeding {args.interactions:,} conversations and {args.messages:,} messages …",
            flush=True,
        )
        started = time.perf_counter()
        results["seed_seconds"] = seed(args, end)
        results["seed_total_seconds"] = time.perf_counter() - started
        for step, seconds in results["seed_seconds"].items():
            print(f"  {step:<16} {seconds:7.1f} s")
        print(f"  {'total':<16} {results['seed_total_seconds']:7.1f} s")
    counts = seeded_size()
    print(
        f"database: {counts[0]:,} conversations, {counts[1]:,} messages, "
        f"{Interaction.objects.filter(state__in=['queued', 'assigned']).count():,} open"
    )
    return end


def main(argv=None) -> int:
    args = parse_args(argv)
    results: dict = {
        "size": {"interactions": args.interactions, "messages": args.messages, "open": args.open},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    end = prepare(args, results)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from desk import selectors as desk_selectors
    from interactions.models import Interaction

    settings.DEBUG = False

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-supervisor"))
    end_day = (end - timedelta(days=1)).date()
    queries = variants(end_day, args.range_days)
    first = queries["all"]
    in_range = Interaction.objects.filter(
        created_at__gte=datetime.fromisoformat(first["start"]).replace(tzinfo=UTC),
        created_at__lt=end,
    )
    print(
        f"\n{args.range_days}-day range {first['start']} … {first['end']}: "
        f"{in_range.count():,} conversations opened"
    )

    def get(path: str, query: dict):
        def run():
            response = client.get(path, query)
            assert response.status_code == 200, (path, response.status_code)
            _ = response.content

        return run

    baseline_count, _ = median_ms(lambda: in_range.count(), args.runs)
    baseline_bare, _ = median_ms(get("/api/v1/me/", {}), args.runs)
    print(
        f"\nbaselines (median of {args.runs}): COUNT(*) over the range {baseline_count:.1f} ms; "
        f"GET /api/v1/me/ through the middleware {baseline_bare:.1f} ms"
    )
    results["baselines_ms"] = {"count_in_range": baseline_count, "api_me": baseline_bare}
    print(
        f"\n{'report (90 days)':<16} {'page ms':>9} {'CSV ms':>9} {'API ms':>9} {'SQL ms':>9}"
        "  target ≤ 1000 ms"
    )
    results["reports_ms"] = {}
    for name, query in queries.items():
        row = {}
        for kind, path in (
            ("page", "/reports/"),
            ("csv", "/reports/export.csv"),
            ("api", "/api/v1/reports/"),
        ):
            row[kind], row[f"{kind}_runs"] = median_ms(get(path, query), args.runs)
        row["sql"] = statistics.median(report_sql_ms(query) for _ in range(args.runs))
        results["reports_ms"][name] = row
        print(
            f"{name:<16} {row['page']:9.1f} {row['csv']:9.1f} {row['api']:9.1f} {row['sql']:9.1f}",
            flush=True,
        )

    # What the WebSocket sends a supervisor, at the end of the last seeded day (bench.supervise
    # compares it with the shape before this round).
    live_now = end - timedelta(minutes=1)

    def live_view():
        json.dumps(desk_selectors.supervisor_snapshot(now=live_now), default=str)

    snapshot = desk_selectors.supervisor_snapshot(now=live_now)
    live, live_runs = median_ms(live_view, max(args.runs, 10))
    results["live_view_ms"] = {
        "median": live,
        "runs": live_runs,
        "agents": len(snapshot["agents"]),
        "open": len(snapshot["interactions"]),
    }
    print(
        f"\nsupervisor live view ({len(snapshot['agents'])} agents, {len(snapshot['interactions'])} open "
        f"conversations; snapshot + JSON): median {live:.1f} ms (target ≤ 100 ms)"
    )

    print("\nindexes of the tables the reports read:")
    results["indexes"] = indexes()
    for line in results["indexes"]:
        print("  " + line)
    if not args.no_plans:
        results["plans"] = {}
        for name in ("all", "service+label"):
            print(f"\nEXPLAIN ANALYZE, report «{name}»:")
            for i, sql in enumerate(report_queries(queries[name]), 1):
                plan = explain(sql)
                results["plans"][f"{name} #{i}"] = {"sql": sql, "plan": plan}
                print(f"--- query {i}: {sql[:160]}…\n{plan}")
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(_connection()) as captured:
            desk_selectors.supervisor_snapshot(now=live_now)
        print("\nEXPLAIN ANALYZE, supervisor live view:")
        for i, q in enumerate(captured.captured_queries, 1):
            plan = explain(q["sql"])
            results["plans"][f"live #{i}"] = {"sql": q["sql"], "plan": plan}
            print(f"--- query {i}: {q['sql'][:160]}…\n{plan}")
    out = ROOT / "bench" / "results" / "reports-latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nwritten: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
