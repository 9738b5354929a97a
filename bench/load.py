"""The load side: signed Twilio-shaped webhooks and agents' desk WebSockets.

Pure asyncio (aiohttp), no Django: it runs in the benchmark's own process,
apart from the server's workers, and talks to them over loopback only.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import aiohttp
from twilio.request_validator import RequestValidator

INBOUND_PATH = "/whatsapp/twilio/inbound"
STATUS_PATH = "/whatsapp/twilio/status"
BODY_PREFIX = "bench "


@dataclass(frozen=True)
class Request:
    """One prepared POST: path (with query), form body, headers, and the MessageSid it carries."""

    path: str
    body: bytes
    headers: dict
    sid: str = ""
    tag: object = None  # what the caller wants back for answered requests


def message_sid(n: int, prefix: str = "SM") -> str:
    return f"{prefix}{n:032x}"


def inbound_request(
    base_url: str, token: str, *, sid: str, customer: str, to: str, account_sid: str
) -> Request:
    """A WhatsApp message webhook as Twilio sends it, signed for `base_url`."""
    params = {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": f"Customer {customer[-4:]}",
        "MessageType": "text", "SmsSid": sid, "WaId": customer.lstrip("+"), "SmsStatus": "received",
        "Body": BODY_PREFIX + sid, "To": f"whatsapp:{to}", "NumSegments": "1", "ReferralNumMedia": "0",
        "MessageSid": sid, "AccountSid": account_sid, "From": f"whatsapp:{customer}", "ApiVersion": "2010-04-01",
    }  # fmt: skip
    return _signed(base_url, token, INBOUND_PATH, params, sid)


def status_request(
    base_url: str,
    token: str,
    *,
    sid: str,
    message_id: int,
    status: str,
    account_sid: str,
    to: str,
    customer: str,
) -> Request:
    """A status callback for one of our outbound messages (our id rides in the URL)."""
    params = {
        "SmsSid": sid, "SmsStatus": status, "MessageStatus": status, "ChannelToAddress": customer,
        "To": f"whatsapp:{customer}", "ChannelPrefix": "whatsapp", "MessageSid": sid, "AccountSid": account_sid,
        "From": f"whatsapp:{to}", "ApiVersion": "2010-04-01", "ChannelInstallSid": "XE" + "0" * 32,
    }  # fmt: skip
    return _signed(base_url, token, f"{STATUS_PATH}?m={message_id}", params, sid)


def bare_request(path: str) -> Request:
    return Request(path, b"a=1", {"Content-Type": "application/x-www-form-urlencoded"})


def _signed(base_url: str, token: str, path: str, params: dict, sid: str) -> Request:
    signature = RequestValidator(token).compute_signature(base_url + path, params)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature}
    return Request(path, urlencode(params).encode(), headers, sid)


# --- HTTP ---------------------------------------------------------------------


@dataclass
class HttpResult:
    sent: int = 0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    retried: int = 0
    answered_tags: list = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.sent / self.elapsed if self.elapsed else 0.0

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)


class Sender:
    """Posts prepared requests; remembers when each MessageSid was first sent."""

    def __init__(self, base_url: str, *, connections: int = 64):
        self.base_url = base_url
        self.connections = connections
        self.sent_at: dict[str, int] = {}
        self.acknowledged: set[str] = set()  # inbound MessageSids answered 200
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Sender:
        # Idle connections are dropped before uvicorn's 5 s keep-alive ends, so a
        # request never races the server closing the connection under it.
        connector = aiohttp.TCPConnector(limit=self.connections, keepalive_timeout=3)
        timeout = aiohttp.ClientTimeout(total=30)
        self.session = aiohttp.ClientSession(connector=connector, timeout=timeout)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.session.close()

    async def post(self, request: Request, result: HttpResult, start_ns: int | None = None) -> None:
        """POST once (again once on a connection failure, as Twilio does).

        Latency counts from `start_ns` (the scheduled time) when given.
        """
        now = time.perf_counter_ns()
        inbound = request.path == INBOUND_PATH
        if inbound and request.sid not in self.sent_at:
            self.sent_at[request.sid] = now
        start = start_ns if start_ns is not None else now
        for attempt in (1, 2):
            try:
                async with self.session.post(
                    self.base_url + request.path, data=request.body, headers=request.headers
                ) as response:
                    await response.read()
                    status = response.status
                break
            except aiohttp.ClientConnectionError as exc:
                if attempt == 2:
                    result.errors[type(exc).__name__] += 1
                    return
                result.retried += 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                result.errors[type(exc).__name__] += 1
                return
        result.statuses[status] += 1
        result.latencies_ms.append((time.perf_counter_ns() - start) / 1e6)
        if status == 200:
            if inbound:
                self.acknowledged.add(request.sid)
            if request.tag is not None:
                result.answered_tags.append(request.tag)

    async def closed_loop(
        self, requests: Iterable[Request], *, concurrency: int, seconds: float
    ) -> HttpResult:
        """As fast as the server answers, `concurrency` requests in flight, for at most `seconds`."""
        result = HttpResult()
        source = iter(requests)
        deadline = time.perf_counter() + seconds

        async def worker():
            while time.perf_counter() < deadline:
                request = next(source, None)
                if request is None:
                    return
                result.sent += 1
                await self.post(request, result)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.elapsed = time.perf_counter() - started
        return result

    async def open_loop(self, requests: list[Request], *, rate: float) -> HttpResult:
        """Each request at its own scheduled moment (rate per second), whatever the answers do.

        Latency counts from the scheduled moment, so a stalled server is not
        hidden by the client waiting for it (no coordinated omission).
        """
        result = HttpResult()
        tasks = []
        started_ns = time.perf_counter_ns()
        interval_ns = int(1e9 / rate)
        for index, request in enumerate(requests):
            due = started_ns + index * interval_ns
            delay = (due - time.perf_counter_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            result.sent += 1
            tasks.append(asyncio.create_task(self.post(request, result, start_ns=due)))
        await asyncio.gather(*tasks)
        result.elapsed = (time.perf_counter_ns() - started_ns) / 1e9
        return result


# --- desk WebSockets -------------------------------------------------------------


@dataclass
class Receipts:
    """What the desks received, keyed for checking against the database."""

    message_created: dict[str, list[tuple[int, int]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    assigned: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    probes: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    statuses: int = 0
    other: int = 0


class Desk:
    """One agent's desk tab: a WebSocket authenticated by the agent's session cookie."""

    def __init__(self, receipts: Receipts):
        self.receipts = receipts
        self.agent_id: int | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.task: asyncio.Task | None = None
        self.closed_code = None

    async def connect(
        self, session: aiohttp.ClientSession, url: str, origin: str, cookie: str
    ) -> None:
        self.ws = await session.ws_connect(
            url, headers={"Origin": origin, "Cookie": cookie}, heartbeat=None, autoping=True
        )
        hello = await self.ws.receive_json(timeout=30)
        if hello.get("type") != "hello":
            raise RuntimeError(f"desk did not say hello: {hello}")
        self.agent_id = hello["agent_id"]
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        receipts = self.receipts
        async for frame in self.ws:
            if frame.type != aiohttp.WSMsgType.TEXT:
                continue
            now = time.perf_counter_ns()
            event = json.loads(frame.data)
            kind = event.get("type")
            if kind == "message.created":
                body = event["message"].get("body", "")
                if body.startswith(BODY_PREFIX):
                    receipts.message_created[body[len(BODY_PREFIX) :]].append((self.agent_id, now))
            elif kind == "interaction.assigned":
                receipts.assigned[event["interaction"]["id"]].append(self.agent_id)
            elif kind == "message.status":
                receipts.statuses += 1
            elif kind == "bench.probe":
                receipts.probes[self.agent_id] += 1
            else:
                receipts.other += 1
        self.closed_code = self.ws.close_code

    @property
    def is_open(self) -> bool:
        return self.ws is not None and not self.ws.closed

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


async def open_desks(
    url: str, origin: str, cookies: list[str], receipts: Receipts, *, parallel: int = 50
) -> tuple[aiohttp.ClientSession, list[Desk]]:
    """Open one desk per cookie, `parallel` handshakes at a time."""
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
    desks = [Desk(receipts) for _ in cookies]
    semaphore = asyncio.Semaphore(parallel)

    async def one(desk: Desk, cookie: str):
        async with semaphore:
            await desk.connect(session, url, origin, cookie)

    await asyncio.gather(*(one(d, c) for d, c in zip(desks, cookies, strict=True)))
    return session, desks


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]
