"""Reverse proxies: whose X-Forwarded-* headers are believed, and the client's address.

A TLS-terminating proxy tells the application, in headers, what it alone
knows: the scheme the client used (X-Forwarded-Proto), the host and port it
called (X-Forwarded-Host/Port) and the client's address (X-Forwarded-For).
Anyone can send those headers, so they are believed only on a request whose
peer (REMOTE_ADDR: the TCP connection's other end) is one of
OCC_TRUSTED_PROXIES, addresses or networks (CIDR). From any other peer they
are removed before Django reads them (TrustedProxyMiddleware), so
SECURE_PROXY_SSL_HEADER, the HTTPS redirect and the webhook signature's URL
cannot be steered by a client.

The trust is decided here, in one setting, rather than by the ASGI server:
uvicorn's own --proxy-headers (on by default, trusting 127.0.0.1) rewrites
the scope before Django sees it, so it must be off (`--no-proxy-headers`) in
every documented setup; the README shows the commands.
"""

from __future__ import annotations

import functools
import ipaddress
import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings

logger = logging.getLogger(__name__)

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_FORWARDED",
)


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()
    )


def trusted_networks() -> tuple:
    return _networks(tuple(settings.OCC_TRUSTED_PROXIES))


def _address(value: str):
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted(address, networks: tuple | None = None) -> bool:
    networks = trusted_networks() if networks is None else networks
    if address is None or not networks:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in networks)


def from_trusted_proxy(request) -> bool:
    """True when the request's peer is one of OCC_TRUSTED_PROXIES."""
    return _peer_trusted(request.META.get("REMOTE_ADDR", ""), tuple(settings.OCC_TRUSTED_PROXIES))


@functools.lru_cache(maxsize=1024)
def _peer_trusted(peer: str, entries: tuple[str, ...]) -> bool:
    # Per peer and setting: a server hears from few peers (its proxies), every request.
    return is_trusted(_address(peer), _networks(entries))


def client_ip(request) -> str | None:
    """The client's address: the peer's, or behind a trusted proxy the one it forwarded.

    X-Forwarded-For is read from the right: each trusted proxy appends the
    address it received the request from, and a client may put anything on
    the left. The first address that is not a trusted proxy is the client's.
    Shared by the log-in lockout (django-axes), the API's failure counts, the
    widget's rate limit and the audit log.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is not None and is_trusted(peer):
        chain = [
            part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        for part in reversed(chain):
            hop = _address(part)
            if hop is None:
                break  # garbage the proxy passed on from the client: stop believing the chain
            if not is_trusted(hop):
                return str(hop)
            peer = hop
    return str(peer) if peer is not None else None


class TrustedProxyMiddleware:
    """Removes X-Forwarded-* and Forwarded from requests that did not come from a trusted proxy.

    First in MIDDLEWARE: SecurityMiddleware's HTTPS redirect reads
    SECURE_PROXY_SSL_HEADER, which only a trusted proxy may set.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self._warned: set[str] = set()
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self._acall(request)
        self.strip_untrusted(request)
        return self.get_response(request)

    async def _acall(self, request):
        self.strip_untrusted(request)
        return await self.get_response(request)

    def strip_untrusted(self, request) -> None:
        meta = request.META
        if not any(name in meta for name in FORWARDED_HEADERS) or from_trusted_proxy(request):
            return
        if meta.get("HTTP_X_FORWARDED_PROTO") and len(self._warned) < 100:
            peer = meta.get("REMOTE_ADDR", "")
            if peer not in self._warned:
                # The usual cause of an endless HTTPS redirect behind a proxy: say so once per peer.
                self._warned.add(peer)
                logger.warning(
                    "ignoring X-Forwarded-* headers from %s, which is not in OCC_TRUSTED_PROXIES",
                    peer,
                )
        for name in FORWARDED_HEADERS:
            meta.pop(name, None)
