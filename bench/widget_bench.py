#!/usr/bin/env python
"""Benchmark of the widget's public endpoints next to a bare Django view.

Starts OCC under uvicorn on a loopback port (a temporary SQLite database, or
the PostgreSQL of DATABASE_URL), seeds one widget, and measures requests per
second and latency for the configuration JSON and the QR code (SVG, PNG, and
PNG revalidated with its ETag) next to a bare Django view served by the same
server in the same run, through the same middleware. The bare view lives in a
bench-only URLconf, so the product never exposes it.

Bounded: at most --requests per endpoint and --seconds each, 127.0.0.1 only.

    .venv/bin/python bench/widget_bench.py [--workers 2] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

BENCH_SETTINGS = """
from occ.settings import *  # noqa: F401,F403

ROOT_URLCONF = "widget_bench_urls"
DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

import os as _os

if _os.environ.get("WIDGET_BENCH_POOL") == "1" and DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # psycopg's connection pool, one per worker process (needs psycopg_pool).
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
    DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 2, "max_size": 8}  # noqa: F405
"""

BENCH_URLS = """
from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


def bare_query(request):
    # The same, plus the one indexed query each widget endpoint makes.
    from widgets.models import Widget

    Widget.objects.filter(public_key=request.GET.get("k", "")).exists()
    return HttpResponse(b"ok", content_type="text/plain")


def qr_cache(request):
    # Per worker process: how many QR images were rendered (misses) and reused (hits).
    import os

    from django.http import JsonResponse

    from widgets import qr

    info = qr.cache_info()
    return JsonResponse({"pid": os.getpid(), "hits": info.hits, "misses": info.misses})


urlpatterns = [
    path("_bench/bare", bare),
    path("_bench/qr-cache", qr_cache),
    path("_bench/bare-query", bare_query),
    path("", include("occ.urls")),
]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def prepare(tmp: Path) -> dict[str, str]:
    """Write the bench settings and URLconf; return the environment for both processes."""
    (tmp / "widget_bench_settings.py").write_text(textwrap.dedent(BENCH_SETTINGS))
    (tmp / "widget_bench_urls.py").write_text(textwrap.dedent(BENCH_URLS))
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "widget_bench_settings"
    env["PYTHONPATH"] = os.pathsep.join([str(tmp), str(ROOT), env.get("PYTHONPATH", "")])
    env["LOG_LEVEL"] = "WARNING"
    env.setdefault("SECRET_KEY", secrets.token_hex(32))
    # Under ASGI every request runs its sync code in a fresh thread, and a
    # persistent connection belongs to its thread: with DB_CONN_MAX_AGE > 0
    # each request leaves a PostgreSQL connection open until max_connections
    # runs out ("too many clients"). Close them at the end of each request.
    env.setdefault("DB_CONN_MAX_AGE", "0")
    if not env.get("DATABASE_URL"):
        env["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    os.environ.update(env)
    sys.path[:0] = [str(tmp), str(ROOT)]
    return env


def seed():
    """Migrate, then one WhatsApp-ready service and one widget using it; returns (widget, cleanup)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from services.models import Service
    from widgets.models import Widget

    tag = secrets.token_hex(3)
    number = "+3902" + str(secrets.randbelow(10**8)).zfill(8)
    service = Service.objects.create(
        name=f"Bench {tag}", chat_enabled=True, whatsapp_enabled=True, twilio_number=number
    )
    widget = Widget.objects.create(
        name=f"Bench {tag}",
        in_use=True,
        whatsapp_service=service,
        prefilled_text="Ciao! Vorrei informazioni.",
    )

    def cleanup():
        widget.delete()
        service.delete()

    return widget, cleanup


def render_cost(payload: str, rounds: int = 20) -> dict[str, float]:
    """Milliseconds to render one QR code without the cache (what every request would cost)."""
    from widgets import qr

    costs = {}
    for fmt in ("svg", "png"):
        start = time.perf_counter()
        for _ in range(rounds):
            qr.render_uncached(payload, fmt)
        costs[fmt] = (time.perf_counter() - start) / rounds * 1000
    return costs


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "occ.asgi:application",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"uvicorn exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_bench/bare", timeout=1) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("uvicorn did not start within 30 s")


# --- a small keep-alive HTTP/1.1 load generator ----------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    else:
        await reader.readexactly(int(headers.get("content-length", "0")))
    return status


async def _connection(port, request, budget, deadline, latencies, statuses):
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            start = time.perf_counter()
            writer.write(request)
            await writer.drain()
            status = await _read_response(reader)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def load(port, path, headers, *, requests, seconds, concurrency):
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\n{extra}\r\n".encode()
    budget = [requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start = time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(
        *(
            _connection(port, request, budget, deadline, latencies, statuses)
            for _ in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - start
    return {"rps": len(latencies) / elapsed, "latencies": latencies, "statuses": statuses}


def summary(rounds: list[dict]) -> dict:
    """Rounds of one endpoint: the median round's req/s, latencies pooled."""
    latencies = [value for r in rounds for value in r["latencies"]]
    statuses: dict[int, int] = {}
    for r in rounds:
        for code, n in r["statuses"].items():
            statuses[code] = statuses.get(code, 0) + n
    return {
        "count": len(latencies),
        "rps": statistics.median(r["rps"] for r in rounds),
        "median_ms": statistics.median(latencies) * 1000,
        "p95_ms": statistics.quantiles(latencies, n=20)[18] * 1000
        if len(latencies) > 20
        else float("nan"),
        "statuses": statuses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="uvicorn worker processes (default 2)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=16, help="keep-alive connections (default 16)"
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=1500,
        help="at most this many requests per endpoint and round",
    )
    parser.add_argument(
        "--seconds", type=float, default=4.0, help="at most this long per endpoint and round"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds over all endpoints, interleaved (default 3)"
    )
    parser.add_argument(
        "--pool", action="store_true", help="PostgreSQL through psycopg's connection pool"
    )
    args = parser.parse_args()
    if args.pool:
        os.environ["WIDGET_BENCH_POOL"] = "1"

    with tempfile.TemporaryDirectory(prefix="occ-widget-bench-") as tmp:
        env = prepare(Path(tmp))
        widget, cleanup = seed()
        from widgets import qr, selectors

        channel = selectors.whatsapp_channel(widget)
        costs = render_cost(channel.app_link)
        key = widget.public_key
        png_etag = f'"{qr.content_hash(channel.app_link, "png")}"'
        origin = {"Origin": "https://www.example.com"}
        endpoints = [
            ("bare Django view", "/_bench/bare", {}),
            ("bare view + 1 query", f"/_bench/bare-query?k={key}", {}),
            ("config.json", f"/widget/{key}/config.json", origin),
            ("qr.svg", f"/widget/{key}/qr.svg", {}),
            ("qr.png", f"/widget/{key}/qr.png", {}),
            ("qr.png, If-None-Match (304)", f"/widget/{key}/qr.png", {"If-None-Match": png_etag}),
        ]
        port = free_port()
        server = start_server(env, port, args.workers)
        try:
            for _name, path, headers in endpoints:
                # Warm-up: every worker imports, connects and fills its QR cache.
                asyncio.run(
                    load(port, path, headers, requests=200, seconds=5, concurrency=args.concurrency)
                )
            # Interleaved rounds, so a burst of other load on the machine does
            # not land on one endpoint only.
            rounds: dict[str, list[dict]] = {name: [] for name, _path, _headers in endpoints}
            for _round in range(args.rounds):
                for name, path, headers in endpoints:
                    rounds[name].append(
                        asyncio.run(
                            load(
                                port,
                                path,
                                headers,
                                requests=args.requests,
                                seconds=args.seconds,
                                concurrency=args.concurrency,
                            )
                        )
                    )
            results = [(name, summary(rounds[name])) for name, _path, _headers in endpoints]
            # Ask each worker how often it rendered a QR code (connections
            # are spread over the workers, so a few tries reach them all).
            renders: dict[int, dict] = {}
            for _ in range(40):
                with urllib.request.urlopen(
                    f"http://{HOST}:{port}/_bench/qr-cache", timeout=5
                ) as answer:
                    data = json.loads(answer.read())
                renders[data["pid"]] = data
                if len(renders) >= args.workers:
                    break
        finally:
            server.terminate()
            server.wait(timeout=15)
            cleanup()

    database = (
        "PostgreSQL (DATABASE_URL)" if os.environ.get("DATABASE_URL") else "SQLite (temporary)"
    )
    if args.pool and os.environ.get("DATABASE_URL"):
        database += " with a connection pool"
    print(
        f"\nOCC widget benchmark: uvicorn, {args.workers} workers, {database}, "
        f"{args.concurrency} keep-alive connections, {args.rounds} rounds of <= {args.requests} requests / "
        f"{args.seconds:g} s per endpoint, "
        f"{os.cpu_count()} CPUs shared with the load generator\n"
    )
    bare_rps = results[0][1]["rps"]
    print(
        f"{'endpoint':32} {'requests':>8} {'req/s*':>9} {'median ms':>10} {'p95 ms':>8} {'vs bare':>8}  statuses"
    )
    for name, r in results:
        statuses = ", ".join(f"{code}×{n}" for code, n in sorted(r["statuses"].items()))
        print(
            f"{name:32} {r['count']:8d} {r['rps']:9.0f} {r['median_ms']:10.2f} {r['p95_ms']:8.2f} "
            f"{r['rps'] / bare_rps:8.2f}  {statuses}"
        )
    print("* the median round's requests per second; latencies over all rounds")
    print(
        f"\nRendering one QR code without the cache costs {costs['svg']:.1f} ms (SVG) and "
        f"{costs['png']:.1f} ms (PNG) in this process: rendered per request, one worker could "
        f"serve at most ~{1000 / costs['svg']:.0f} SVG or ~{1000 / costs['png']:.0f} PNG responses per second."
    )
    for pid, data in sorted(renders.items()):
        print(
            f"Worker {pid}: {data['misses']} QR renderings, {data['hits']} responses served from the rendered-bytes cache."
        )
    bad = [name for name, r in results if set(r["statuses"]) - {200, 304}]
    if bad:
        raise SystemExit(f"unexpected statuses for: {', '.join(bad)}")


if __name__ == "__main__":
    main()
