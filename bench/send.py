"""Agent presses Send → Twilio receives the request: latency of a reply (a benchmark, not a test).

    .venv/bin/python -m bench.send                      # PostgreSQL + Redis on loopback
    .venv/bin/python -m bench.send --replies 400 --rate 40 --repeat 3

OCC runs under uvicorn in the scale-out configuration (PostgreSQL, the
Redis channel layer, 2 workers), with the fake Twilio served over real
HTTP by this process. Desks (one WebSocket per agent, each holding one
conversation in its 24-hour window) send `reply` commands; the time from
the command leaving the desk to the fake Twilio receiving the
`POST …/Messages.json` for it is measured in this one process (one
clock). Also measured: the time to the desk's `reply.stored`
acknowledgement.

Phases:
- idle: one reply at a time, each after the previous one reached Twilio;
- load: `--rate` replies a second spread over the desks, open loop.

Prints p50/p99 per phase and run, and the medians over runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

import aiohttp

from bench.load import percentile
from bench.run import prepare_database, server_env, setup_django

BODY_PREFIX = "bench-send-"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/occ_bench_send"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agents", type=int, default=20, help="desks, one conversation each")
    parser.add_argument("--idle", type=int, default=100, help="replies sent one at a time")
    parser.add_argument("--replies", type=int, default=400, help="replies in the load phase")
    parser.add_argument("--rate", type=float, default=40.0, help="replies per second under load")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--log", default="/tmp/occ-bench-send.log")
    return parser.parse_args(argv)


class Arrivals:
    """When the fake Twilio received each reply, by its body; filled by the fake's threads."""

    def __init__(self) -> None:
        self.at: dict[str, int] = {}
        self.changed = threading.Condition()

    def record(self, body: str, stamp: int) -> None:
        with self.changed:
            self.at.setdefault(body, stamp)
            self.changed.notify_all()


def start_fake_twilio(arrivals: Arrivals):
    from bench.scenario import ACCOUNT_SID, AUTH_TOKEN, service_number
    from whatsapp.fake_twilio import FakeTwilio, FakeTwilioServer

    class TimedFake(FakeTwilio):
        def handle(self, method, path, query, headers, body):
            stamp = time.perf_counter_ns()
            if (
                method == "POST"
                and path.endswith("/Messages.json")
                and BODY_PREFIX.encode() in body
            ):
                from urllib.parse import parse_qs

                text = parse_qs(body.decode())["Body"][0]
                arrivals.record(text, stamp)
            return super().handle(method, path, query, headers, body)

    fake = TimedFake(callback_statuses=())
    fake.add_account(ACCOUNT_SID, AUTH_TOKEN, friendly_name="OCC Bench")
    fake.add_sender(ACCOUNT_SID, service_number(0))
    return FakeTwilioServer(fake).start()


def seed_conversations(agents: int) -> tuple[list[str], list[int]]:
    """Online agents (bench.scenario.seed) each holding one conversation in its window."""
    from django.utils import timezone

    from agents.models import AgentProfile
    from bench.scenario import customer_number, reset, seed
    from interactions.models import Contact, Interaction, InteractionState

    reset()
    seeded = seed(agents=agents, services=1, max_interactions=2)
    service_id = seeded.services[0][0]
    now = timezone.now()
    interactions = []
    for index, profile in enumerate(
        AgentProfile.objects.filter(pk__in=seeded.agents).order_by("pk")
    ):
        contact = Contact.objects.create(address=customer_number(index), name=f"Customer {index}")
        interactions.append(
            Interaction.objects.create(
                service_id=service_id,
                contact=contact,
                state=InteractionState.ASSIGNED,
                agent=profile,
                assigned_at=now,
                last_inbound_at=now,
            ).pk
        )
    # seed() made the profiles in the same order as the cookies.
    return seeded.cookies, interactions


class Desk:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, interaction_id: int):
        self.ws, self.interaction_id = ws, interaction_id
        self.stored: dict[str, int] = {}
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                event = json.loads(frame.data)
                if event.get("type") == "reply.stored":
                    self.stored[event.get("client_id", "")] = time.perf_counter_ns()

    async def send(self, body: str) -> int:
        sent = time.perf_counter_ns()
        await self.ws.send_json(
            {
                "type": "reply",
                "interaction_id": self.interaction_id,
                "body": body,
                "client_id": body,
            }
        )
        return sent


async def run_once(args, number: int) -> dict:
    from asgiref.sync import sync_to_async

    from bench.server import Server

    arrivals = Arrivals()
    fake = start_fake_twilio(arrivals)
    cookies, interactions = await sync_to_async(seed_conversations)(args.agents)
    env = server_env(args.database_url, args.redis_url, f"bench-send-{number}")
    env.update(TWILIO_API_BASE_URL=fake.base_url, TWILIO_MESSAGING_BASE_URL=fake.base_url)
    server = Server(workers=args.workers, env=env, log_path=Path(args.log))
    await asyncio.to_thread(server.start)
    session = aiohttp.ClientSession()
    try:
        desks = []
        for cookie, interaction_id in zip(cookies, interactions, strict=True):
            ws = await session.ws_connect(
                server.ws_url, headers={"Origin": server.base_url, "Cookie": cookie}
            )
            hello = await ws.receive_json(timeout=30)
            assert hello.get("type") == "hello", hello
            desks.append(Desk(ws, interaction_id))
        await asyncio.sleep(1)  # the snapshots

        sent: dict[str, int] = {}

        async def wait_for(bodies: list[str], timeout: float) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and not all(b in arrivals.at for b in bodies):
                await asyncio.sleep(0.002)

        # Warm every worker's path (twilio client, connection pool).
        for index, desk in enumerate(desks):
            body = f"{BODY_PREFIX}warm-{index}"
            sent[body] = await desk.send(body)
        await wait_for([b for b in sent], 30)

        idle = []
        for index in range(args.idle):
            desk = desks[index % len(desks)]
            body = f"{BODY_PREFIX}idle-{index}"
            sent[body] = await desk.send(body)
            idle.append(body)
            await wait_for([body], 10)
            await asyncio.sleep(random.uniform(0.01, 0.05))

        load = []
        gap = 1.0 / args.rate
        start = time.perf_counter()
        for index in range(args.replies):
            delay = start + index * gap - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            desk = desks[index % len(desks)]
            body = f"{BODY_PREFIX}load-{index}"
            sent[body] = await desk.send(body)
            load.append(body)
        await wait_for(load, 60)
        await asyncio.sleep(0.5)

        stored = {k: v for desk in desks for k, v in desk.stored.items()}

        def summary(bodies: list[str]) -> dict:
            reached = [(arrivals.at[b] - sent[b]) / 1e6 for b in bodies if b in arrivals.at]
            acked = [(stored[b] - sent[b]) / 1e6 for b in bodies if b in stored]
            return {
                "replies": len(bodies),
                "reached_twilio": len(reached),
                "to_twilio_p50_ms": round(percentile(reached, 50) or 0, 2),
                "to_twilio_p99_ms": round(percentile(reached, 99) or 0, 2),
                "stored_ack_p50_ms": round(percentile(acked, 50) or 0, 2),
                "stored_ack_p99_ms": round(percentile(acked, 99) or 0, 2),
            }

        creates = [
            r
            for r in fake.fake.requests
            if r["method"] == "POST" and str(r["params"].get("Body", "")).startswith(BODY_PREFIX)
        ]
        return {
            "run": number,
            "idle": summary(idle),
            "load": {**summary(load), "offered_per_second": args.rate},
            "sent_twice": len(creates) - len({r["params"]["Body"] for r in creates}),
        }
    finally:
        for desk in locals().get("desks", []):
            await desk.ws.close()
        await session.close()
        await asyncio.to_thread(server.stop)
        fake.stop()


def main(argv=None) -> int:
    args = parse_args(argv)
    prepare_database(args.database_url)
    setup_django(args.database_url, args.redis_url, "bench-send")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    runs = []
    for number in range(1, args.repeat + 1):
        report = asyncio.run(run_once(args, number))
        print(json.dumps(report), flush=True)
        runs.append(report)
    for phase in ("idle", "load"):
        for key in ("to_twilio_p50_ms", "to_twilio_p99_ms", "stored_ack_p50_ms"):
            values = [run[phase][key] for run in runs]
            print(f"{phase:5} {key:18} median {statistics.median(values):8.2f}  runs {values}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
