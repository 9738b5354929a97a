"""Measure OCC's inbound pipeline against a bare Django view on the same server.

    .venv/bin/python -m bench.run                      # the full run, 2 workers
    .venv/bin/python -m bench.run --workers 1,2,4 --phases bare,inbound,status
    .venv/bin/python -m bench.run --phases idle --idle-seconds 600

Starts uvicorn (uvloop, httptools, N workers) on PostgreSQL (a dedicated
database, occ_bench by default, created and migrated here) and the Redis
channel layer, seeds a WhatsApp service, online agents with Max
interactions and one logged-in desk WebSocket each, then drives signed
Twilio webhooks over loopback from this process. Everything is bounded in
count and time. See docs/benchmarks.md for what each figure means.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.load import (
    Receipts,
    Request,
    Sender,
    bare_request,
    inbound_request,
    message_sid,
    open_desks,
    percentile,
    status_request,
)

ROOT = Path(__file__).resolve().parent.parent
PHASES = ("bare", "inbound", "status", "latency", "burst", "idle")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/occ_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    )
    parser.add_argument("--workers", default="2", help="comma-separated worker counts, e.g. 1,2,4")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per worker count (medians are reported)"
    )
    parser.add_argument("--phases", default=",".join(PHASES), help=f"any of {','.join(PHASES)}")
    parser.add_argument(
        "--agents", type=int, default=1000, help="agents, each with one desk WebSocket"
    )
    parser.add_argument("--services", type=int, default=10)
    parser.add_argument(
        "--max-interactions", type=int, default=2, help="every agent's Max interactions"
    )
    parser.add_argument(
        "--warm",
        type=int,
        default=None,
        help="conversations opened before measuring (default: half the capacity)",
    )
    parser.add_argument(
        "--seconds", type=float, default=10.0, help="length of each throughput phase"
    )
    parser.add_argument(
        "--inbound-count",
        type=int,
        default=None,
        help="exactly this many webhooks in the inbound phase (default: as many as --seconds allows)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=32, help="requests in flight in throughput phases"
    )
    parser.add_argument(
        "--rate", type=float, default=200.0, help="offered inbound messages/s in the latency phase"
    )
    parser.add_argument("--latency-seconds", type=float, default=20.0)
    parser.add_argument("--burst-factor", type=float, default=5.0)
    parser.add_argument("--burst-seconds", type=float, default=10.0)
    parser.add_argument(
        "--new-ratio",
        type=float,
        default=0.05,
        help="share of messages from new customers (routing)",
    )
    parser.add_argument(
        "--burst-new",
        type=int,
        default=None,
        help="new customers in the burst (default: enough to queue ~500)",
    )
    parser.add_argument(
        "--dup-ratio",
        type=float,
        default=0.03,
        help="share of repeated deliveries (Twilio retries)",
    )
    parser.add_argument(
        "--outbound", type=int, default=3000, help="sent replies receiving status callbacks"
    )
    parser.add_argument(
        "--idle-seconds",
        type=float,
        default=15.0,
        help="desks left idle before a probe reaches every one",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the workers during the inbound throughput phase",
    )
    parser.add_argument("--output", default=str(ROOT / "bench" / "results" / "latest.json"))
    args = parser.parse_args(argv)
    args.workers = [int(w) for w in args.workers.split(",")]
    args.phases = [p for p in args.phases.split(",") if p]
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    return args


# --- the database and Django in this process ---------------------------------------


def prepare_database(url: str) -> None:
    """Create the benchmark's own database when it is missing."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


BENCH_SECRET_KEY = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def setup_django(database_url: str, redis_url: str, prefix: str) -> None:
    # The same secret as the server's: the sessions seeded here must be valid there.
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ["DJANGO_SETTINGS_MODULE"] = "occ.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ["CHANNEL_LAYER_PREFIX"] = prefix
    import django

    django.setup()


def server_env(
    database_url: str, redis_url: str, prefix: str, secret_key: str = BENCH_SECRET_KEY
) -> dict[str, str]:
    """The scale-out configuration: production settings, PostgreSQL, Redis, plain HTTP on loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_PREFIX": prefix,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",  # loopback has no TLS proxy in front
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }


# --- one run ------------------------------------------------------------------------


class Traffic:
    """Webhooks from customers: those already talking to an agent, new ones, and retries."""

    def __init__(
        self,
        base_url: str,
        token: str,
        account_sid: str,
        services: list[tuple[int, str]],
        seed: int = 7,
    ):
        self.base_url, self.token, self.account_sid = base_url, token, account_sid
        self.numbers = [number for _pk, number in services]
        self.next_customer = 0
        self.next_sid = 1
        self.talking: list[int] = []
        self.sent: list[Request] = []
        self.random = random.Random(seed)

    def message_from(self, customer: int) -> Request:
        from bench.scenario import customer_number

        sid = message_sid(self.next_sid)
        self.next_sid += 1
        request = inbound_request(
            self.base_url, self.token, sid=sid, customer=customer_number(customer),
            to=self.numbers[customer % len(self.numbers)], account_sid=self.account_sid,
        )  # fmt: skip
        self.sent.append(request)
        return request

    def new_customer(self) -> Request:
        customer = self.next_customer
        self.next_customer += 1
        return self.message_from(customer)

    def mixed(
        self, count: int, *, new_ratio: float, dup_ratio: float, new_count: int | None = None
    ) -> list[Request]:
        """`count` webhooks: repeats of earlier ones, new customers, and the rest from talking customers.

        New customers come as a share (`new_ratio`) or, with `new_count`, evenly spread.
        """
        out: list[Request] = []
        every = max(1, count // new_count) if new_count else 0
        new_left = new_count or 0
        for index in range(count):
            if new_count is not None:
                is_new = new_left > 0 and index % every == 0
            else:
                is_new = self.random.random() < new_ratio
            if is_new or not self.talking:
                out.append(self.new_customer())
                new_left -= 1
            elif self.sent and self.random.random() < dup_ratio:
                out.append(self.random.choice(self.sent[-500:]))
            else:
                out.append(self.message_from(self.random.choice(self.talking)))
        return out


def status_callbacks(base_url: str, token: str, account_sid: str, outbound) -> list[Request]:
    """Three callbacks (sent, delivered, read) for each sent reply, in that order per reply."""
    requests = []
    for message_id, sid, to, customer in outbound:
        for status in ("sent", "delivered", "read"):
            request = status_request(
                base_url, token, sid=sid, message_id=message_id, status=status,
                account_sid=account_sid, to=to, customer=customer,
            )  # fmt: skip
            if status == "read":
                request = Request(
                    request.path, request.body, request.headers, request.sid, tag=message_id
                )
            requests.append(request)
    return requests


def http_summary(result) -> dict:
    return {
        "requests": result.sent,
        "seconds": round(result.elapsed, 2),
        "per_second": round(result.rate, 1),
        "p50_ms": _round(percentile(result.latencies_ms, 50)),
        "p99_ms": _round(percentile(result.latencies_ms, 99)),
        "max_ms": _round(max(result.latencies_ms) if result.latencies_ms else None),
        "status_codes": dict(result.statuses),
        "errors": dict(result.errors),
        "retried": result.retried,
    }


def e2e_summary(requests: list[Request], sender: Sender, receipts: Receipts) -> dict:
    """Webhook sent → the agent's desk has the message, for messages delivered live."""
    latencies = []
    for sid in {r.sid for r in requests}:
        got = receipts.message_created.get(sid)
        if got and sid in sender.sent_at:
            latencies.append((got[0][1] - sender.sent_at[sid]) / 1e6)
    return {
        "live": len(latencies),
        "p50_ms": _round(percentile(latencies, 50)),
        "p99_ms": _round(percentile(latencies, 99)),
        "max_ms": _round(max(latencies) if latencies else None),
    }


def _round(value):
    return None if value is None else round(value, 2)


async def run_once(args, workers: int, log_path: Path) -> dict:
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer
    from django.db import connections

    from bench import profile as profiling
    from bench.scenario import (
        ACCOUNT_SID,
        AUTH_TOKEN,
        check,
        close_oldest_until_drained,
        reset,
        seed,
    )
    from bench.server import Server

    phases = args.phases
    capacity = args.agents * args.max_interactions
    warm = args.warm if args.warm is not None else capacity // 2
    report: dict = {
        "workers": workers,
        "agents": args.agents,
        "max_interactions": args.max_interactions,
    }

    await sync_to_async(reset)()
    seeded = await sync_to_async(seed)(
        agents=args.agents, services=args.services, max_interactions=args.max_interactions,
        outbound=args.outbound if "status" in phases else 0,
    )  # fmt: skip
    env = server_env(
        args.database_url,
        args.redis_url,
        args.prefix,
        getattr(args, "secret_key", BENCH_SECRET_KEY),
    )
    server = Server(workers=workers, env=env, log_path=log_path)
    await asyncio.to_thread(server.start)
    try:
        receipts = Receipts()
        rss_before = server.rss_kib()
        started = time.perf_counter()
        ws_session, desks = await open_desks(
            server.ws_url, server.base_url, seeded.cookies, receipts
        )
        # The generator's own full garbage collections (its heap holds every
        # desk) would delay requests it then counts as the server's latency.
        gc.collect()
        gc.freeze()
        report["desks"] = {
            "connected": sum(d.is_open for d in desks),
            "connect_seconds": round(time.perf_counter() - started, 2),
        }
        await asyncio.sleep(2)
        rss_after = server.rss_kib()
        report["desks"]["server_rss_mib_before"] = round(rss_before / 1024, 1)
        report["desks"]["server_rss_mib_after"] = round(rss_after / 1024, 1)
        report["desks"]["kib_per_connection"] = round(
            (rss_after - rss_before) / max(1, len(desks)), 1
        )

        traffic = Traffic(server.base_url, AUTH_TOKEN, ACCOUNT_SID, seeded.services)
        expect_read: set[int] = set()
        async with Sender(server.base_url, connections=args.concurrency) as sender:
            if "bare" in phases:
                for name, path in (
                    ("bare_full_middleware", "/bench/bare/"),
                    ("bare_lean_path", "/bench/lean/bare/"),
                ):
                    result = await sender.closed_loop(
                        _forever(bare_request(path)),
                        concurrency=args.concurrency,
                        seconds=args.seconds,
                    )
                    report[name] = http_summary(result)

            need_talking = any(p in phases for p in ("inbound", "latency", "burst"))
            if need_talking and warm:
                # Conversations already with agents, so later messages reach a desk at once.
                opening = [traffic.new_customer() for _ in range(warm)]
                result = await sender.closed_loop(
                    opening, concurrency=args.concurrency, seconds=600
                )
                report["warm_up"] = http_summary(result)
                traffic.talking = list(range(warm))

            if "inbound" in phases:
                count = args.inbound_count or int(args.seconds * 3000)
                requests = traffic.mixed(count, new_ratio=args.new_ratio, dup_ratio=args.dup_ratio)
                spy = (
                    profiling.start(
                        server, args.seconds, ROOT / "bench" / "results" / f"profile-{workers}w.txt"
                    )
                    if args.profile
                    else None
                )
                seconds = args.seconds if not args.inbound_count else max(args.seconds, 120)
                result = await sender.closed_loop(
                    requests, concurrency=args.concurrency, seconds=seconds
                )
                report["inbound_throughput"] = http_summary(result)
                if spy is not None:
                    report["profile"] = profiling.finish(spy)

            if "status" in phases and seeded.outbound:
                callbacks = status_callbacks(
                    server.base_url, AUTH_TOKEN, ACCOUNT_SID, seeded.outbound
                )
                result = await sender.closed_loop(
                    callbacks, concurrency=args.concurrency, seconds=args.seconds
                )
                report["status_throughput"] = http_summary(result)
                expect_read = set(result.answered_tags)

            if "latency" in phases:
                count = int(args.rate * args.latency_seconds)
                requests = traffic.mixed(count, new_ratio=args.new_ratio, dup_ratio=args.dup_ratio)
                await asyncio.sleep(1)
                result = await sender.open_loop(requests, rate=args.rate)
                report["latency"] = {"offered_per_second": args.rate, **http_summary(result)}
                await asyncio.sleep(1)
                report["latency"]["e2e"] = e2e_summary(requests, sender, receipts)

            if "burst" in phases:
                rate = args.rate * args.burst_factor
                count = int(rate * args.burst_seconds)
                free = await sync_to_async(_free_capacity)()
                burst_new = args.burst_new if args.burst_new is not None else free + 500
                requests = traffic.mixed(
                    count, new_ratio=0, dup_ratio=args.dup_ratio, new_count=burst_new
                )
                await asyncio.sleep(1)
                result = await sender.open_loop(requests, rate=rate)
                report["burst"] = {
                    "offered_per_second": rate,
                    "new_customers": burst_new,
                    "free_places_before": free,
                    **http_summary(result),
                }
                await asyncio.sleep(1)
                report["burst"]["e2e"] = e2e_summary(requests, sender, receipts)
                report["burst"]["queued_after"] = await sync_to_async(_queued)()
                started = time.perf_counter()
                report["burst"]["closed_to_drain"] = await sync_to_async(
                    close_oldest_until_drained
                )()
                report["burst"]["drain_seconds"] = round(time.perf_counter() - started, 2)
                await asyncio.sleep(2)

            if "idle" in phases:
                # No traffic at all: a layer or socket timeout would close the desks now.
                await asyncio.sleep(args.idle_seconds)
                layer = get_channel_layer()
                for agent_id in seeded.agents:
                    await layer.group_send(
                        f"agent.{agent_id}", {"type": "desk.push", "event": {"type": "bench.probe"}}
                    )
                deadline = time.perf_counter() + 5
                while len(receipts.probes) < len(desks) and time.perf_counter() < deadline:
                    await asyncio.sleep(0.1)
                report["idle"] = {
                    "seconds": args.idle_seconds,
                    "still_open": sum(d.is_open for d in desks),
                    "probe_received": sum(1 for d in desks if receipts.probes.get(d.agent_id)),
                    "desks": len(desks),
                }

        checks = await sync_to_async(check)(
            set(sender.sent_at),
            sender.acknowledged,
            receipts,
            seeded.agents,
            expect_read=expect_read,
        )
        report["checks"] = {k: v for k, v in checks.__dict__.items()}
        report["checks"]["correct"] = checks.correct
        report["desks"]["still_open_at_end"] = sum(d.is_open for d in desks)
        for desk in desks:
            await desk.close()
        await ws_session.close()
    finally:
        await asyncio.to_thread(server.stop)
        await sync_to_async(connections.close_all)()
    return report


def _forever(request: Request):
    while True:
        yield request


def _free_capacity() -> int:
    from agents.models import AgentProfile
    from interactions.selectors import open_counts

    caps = dict(AgentProfile.objects.values_list("pk", "max_interactions"))
    counts = open_counts(caps)
    return sum(max(0, cap - counts.get(pk, 0)) for pk, cap in caps.items())


def _queued() -> int:
    from interactions.models import Interaction, InteractionState

    return Interaction.objects.filter(state=InteractionState.QUEUED).count()


# --- the report -------------------------------------------------------------------


def machine() -> dict:
    import django
    import uvicorn

    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    load = os.getloadavg()
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "uvicorn": uvicorn.__version__,
        "postgresql": _postgres_version(),
        "load_average_at_start": [round(x, 2) for x in load],
    }


def _postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def median_of(runs: list[dict], *path) -> float | None:
    values = []
    for run in runs:
        node = run
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, int | float):
            values.append(node)
    return round(statistics.median(values), 2) if values else None


def table(runs: list[dict]) -> str:
    rows = []
    by_workers: dict[int, list[dict]] = {}
    for run in runs:
        by_workers.setdefault(run["workers"], []).append(run)
    metrics = [
        ("bare view, full middleware (req/s)", ("bare_full_middleware", "per_second")),
        ("bare view, lean path (req/s)", ("bare_lean_path", "per_second")),
        ("inbound webhooks (req/s)", ("inbound_throughput", "per_second")),
        ("inbound HTTP p99 at saturation (ms)", ("inbound_throughput", "p99_ms")),
        ("status callbacks (req/s)", ("status_throughput", "per_second")),
        ("latency: HTTP p50 (ms)", ("latency", "p50_ms")),
        ("latency: HTTP p99 (ms)", ("latency", "p99_ms")),
        ("latency: webhook->desk p50 (ms)", ("latency", "e2e", "p50_ms")),
        ("latency: webhook->desk p99 (ms)", ("latency", "e2e", "p99_ms")),
        ("burst: achieved (req/s)", ("burst", "per_second")),
        ("burst: HTTP p99 (ms)", ("burst", "p99_ms")),
        ("burst: webhook->desk p99 (ms)", ("burst", "e2e", "p99_ms")),
        ("burst: queued after", ("burst", "queued_after")),
        ("desks connected", ("desks", "connected")),
        ("server memory per desk (KiB)", ("desks", "kib_per_connection")),
        ("desks open after idle", ("idle", "still_open")),
        ("idle desks reached by a probe", ("idle", "probe_received")),
        ("messages sent (unique)", ("checks", "sent_unique")),
        ("not acknowledged (Twilio would retry)", ("checks", "unacknowledged")),
        ("acknowledged but not stored (lost)", ("checks", "lost")),
        ("stored twice", ("checks", "duplicated_rows")),
        ("reached desk live", ("checks", "live")),
        ("reached desk by resync", ("checks", "by_resync")),
        ("never reached desk", ("checks", "undelivered")),
        ("pushed twice", ("checks", "duplicated_pushes")),
        ("over Max interactions", ("checks", "over_cap")),
        ("left in queue", ("checks", "queued_left")),
        ("FIFO violations", ("checks", "fifo_violations")),
    ]
    columns = sorted(by_workers)
    header = f"{'metric (median of runs)':<40}" + "".join(
        f"{str(w) + ' worker(s)':>14}" for w in columns
    )
    rows.append(header)
    rows.append("-" * len(header))
    for label, path in metrics:
        values = [median_of(by_workers[w], *path) for w in columns]
        if all(v is None for v in values):
            continue
        rows.append(f"{label:<40}" + "".join(f"{'-' if v is None else v:>14}" for v in values))
    ratios = []
    for w in columns:
        inbound = median_of(by_workers[w], "inbound_throughput", "per_second")
        full = median_of(by_workers[w], "bare_full_middleware", "per_second")
        lean = median_of(by_workers[w], "bare_lean_path", "per_second")
        status = median_of(by_workers[w], "status_throughput", "per_second")
        if inbound and full:
            ratios.append(f"{w} worker(s): inbound / bare (full middleware) = {inbound / full:.2f}")
        if inbound and lean:
            ratios.append(f"{w} worker(s): inbound / bare (lean path) = {inbound / lean:.2f}")
        if status and inbound:
            ratios.append(f"{w} worker(s): status callbacks / inbound = {status / inbound:.2f}")
    base = median_of(by_workers.get(1, []), "inbound_throughput", "per_second")
    for w in columns:
        value = median_of(by_workers[w], "inbound_throughput", "per_second")
        if base and value and w != 1:
            ratios.append(f"inbound throughput {w} workers / 1 worker = {value / base:.2f}")
    return "\n".join(rows + [""] + ratios)


def main(argv=None) -> int:
    args = parse_args(argv)
    args.prefix = f"occbench{os.getpid()}"
    prepare_database(args.database_url)
    setup_django(args.database_url, args.redis_url, args.prefix)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    log_path = output.with_suffix(".server.log")
    info = machine()
    print(f"machine: {json.dumps(info)}", flush=True)
    runs = []
    for workers in args.workers:
        for repeat in range(args.repeat):
            print(f"-- {workers} worker(s), run {repeat + 1} of {args.repeat}", flush=True)
            report = asyncio.run(run_once(args, workers, log_path))
            print(json.dumps(report), flush=True)
            runs.append(report)
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    output.write_text(
        json.dumps(
            {"machine": info, "args": {k: v for k, v in vars(args).items()}, "runs": runs}, indent=2
        )
    )
    print()
    print(table(runs))
    print(f"\nfull results: {output}")
    failed = [run for run in runs if not run.get("checks", {}).get("correct", False)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
