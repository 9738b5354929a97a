"""CPU per request of each webhook path, with the ASGI application called in-process.

`python -m bench.run` measures the whole system over HTTP; this script
isolates what one request costs the worker and PostgreSQL, so that a change
to one path can be judged without the noise of a full run. It calls
`bench.asgi.application` (OCC's, plus the baseline views) directly (no HTTP server, no desks connected) in the
scale-out configuration (production settings, PostgreSQL with its pool,
Redis channel layer), `--concurrency` requests at a time, and prints for
each path:

- the worker's CPU per request (`time.process_time`, every thread),
- PostgreSQL's CPU per request (the `postgres` processes' time in /proc,
  when PostgreSQL runs on this machine; other activity on the machine adds
  to it),
- and the ratio of the worker's CPU to the bare view's, measured in the same
  run.

    .venv/bin/python -m bench.inprocess [--requests 2000] [--concurrency 8] [--agents 40]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time

BASE_URL = "http://127.0.0.1:9999"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/occ_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per path")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--agents", type=int, default=40, help="agents on each of two services (Max interactions 2)"
    )
    return parser.parse_args(argv)


def setup(args) -> None:
    from bench.run import prepare_database, server_env

    prepare_database(args.database_url)
    os.environ.update(server_env(args.database_url, args.redis_url, "occ-inprocess"))
    os.environ.update({"OCC_PUBLIC_BASE_URL": BASE_URL})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def postgres_cpu_seconds() -> float | None:
    """CPU time of the local PostgreSQL processes so far, or None when none is visible."""
    total, found = 0, False
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as comm:
                if not comm.read().startswith("postgres"):
                    continue
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        found = True
    return total / os.sysconf("SC_CLK_TCK") if found else None


async def call(application, request) -> int:
    """One request through the ASGI application; its status code."""
    path, _, query = request.path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 9999),
        "headers": [(b"host", b"127.0.0.1:9999")] + [(k.lower().encode(), v.encode()) for k, v in request.headers.items()],
    }  # fmt: skip
    body_sent = False
    statuses = []

    async def receive():
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": request.body, "more_body": False}
        await asyncio.Event().wait()  # the client never hangs up

    async def send(message):
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await application(scope, receive, send)
    return statuses[0]


async def measure(application, requests, concurrency: int) -> dict:
    pending = list(reversed(requests))
    codes: dict[int, int] = {}

    async def client():
        while pending:
            code = await call(application, pending.pop())
            codes[code] = codes.get(code, 0) + 1

    cpu, wall, pg = time.process_time(), time.perf_counter(), postgres_cpu_seconds()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    pg_after = postgres_cpu_seconds()
    count = len(requests)
    return {
        "worker_cpu_ms": (time.process_time() - cpu) / count * 1000,
        "postgres_cpu_ms": None
        if pg is None or pg_after is None
        else (pg_after - pg) / count * 1000,
        "per_second": count / (time.perf_counter() - wall),
        "status_codes": codes,
    }


def seed(args):
    from bench import scenario

    scenario.reset()
    return scenario.seed(
        agents=args.agents * 2, services=2, max_interactions=2, outbound=args.requests
    )


async def run(args, seeded) -> list[tuple[str, dict]]:
    from bench import load, scenario
    from bench.asgi import application
    from occ import startup

    startup.on_startup()  # what each uvicorn worker does on the lifespan's start-up

    services = seeded.services
    customers = args.agents  # as many conversations as half the places

    def inbound(n: int, customer: int):
        return load.inbound_request(
            BASE_URL, scenario.AUTH_TOKEN, sid=load.message_sid(n), customer=scenario.customer_number(customer),
            to=services[customer % len(services)][1], account_sid=scenario.ACCOUNT_SID,
        )  # fmt: skip

    # Open the conversations the "open conversation" path will continue.
    await measure(
        application, [inbound(10_000_000 + c, c) for c in range(customers)], args.concurrency
    )
    paths = [
        (
            "bare view, full middleware",
            [load.bare_request("/bench/bare/") for _ in range(args.requests)],
        ),
        (
            "bare view, lean handler",
            [load.bare_request("/bench/lean/bare/") for _ in range(args.requests)],
        ),
        ("inbound, open conversation", [inbound(n, n % customers) for n in range(args.requests)]),
        (
            "inbound, new customer",
            [inbound(20_000_000 + c, 100_000 + c) for c in range(args.agents)],
        ),
        (
            "status callbacks",
            [
                load.status_request(
                    BASE_URL,
                    scenario.AUTH_TOKEN,
                    sid=sid,
                    message_id=message_id,
                    status=status,
                    account_sid=scenario.ACCOUNT_SID,
                    to=to,
                    customer=customer,
                )  # fmt: skip
                for message_id, sid, to, customer in seeded.outbound
                for status in ("sent", "delivered", "read")
            ][: args.requests],
        ),
    ]
    return [
        (name, await measure(application, requests, args.concurrency)) for name, requests in paths
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    setup(args)
    import uvloop

    results = uvloop.run(run(args, seed(args)))
    bare = results[0][1]["worker_cpu_ms"]
    print(
        f"{'path':30s} {'worker CPU/req':>15s} {'÷ bare':>7s} {'PostgreSQL CPU/req':>19s} {'req/s':>8s}  status codes"
    )
    for name, result in results:
        pg = result["postgres_cpu_ms"]
        print(
            f"{name:30s} {result['worker_cpu_ms']:12.3f} ms {result['worker_cpu_ms'] / bare:7.2f} "
            f"{'n/a' if pg is None else f'{pg:.3f} ms':>19s} {result['per_second']:8.1f}  {result['status_codes']}"
        )
    return 0 if all(set(result["status_codes"]) == {200} for _name, result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
