"""X-Forwarded-* are believed only from OCC_TRUSTED_PROXIES: the scheme, the host and the client's address."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from audit.context import client_ip as audit_client_ip
from occ.lib.proxies import client_ip

ROOT = Path(__file__).resolve().parents[2]
PROXY = "10.0.0.5"
BEHIND_PROXY = override_settings(
    OCC_TRUSTED_PROXIES=[PROXY, "10.1.0.0/16"],
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    USE_X_FORWARDED_HOST=True,
)


def request_from(peer: str, forwarded_for: str = "", **extra):
    meta = {"REMOTE_ADDR": peer, **extra}
    if forwarded_for:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


@BEHIND_PROXY
def test_behind_a_trusted_proxy_the_client_is_the_address_it_forwarded():
    # The client may put anything on the left; the proxy appends what it saw.
    request = request_from(PROXY, "6.6.6.6, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
    assert audit_client_ip(request) == "198.51.100.7", "the audit log records the same address"


@BEHIND_PROXY
def test_a_chain_of_trusted_proxies_is_walked_from_the_right():
    assert client_ip(request_from(PROXY, "198.51.100.7, 10.1.2.3")) == "198.51.100.7"


@BEHIND_PROXY
def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert client_ip(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_with_no_trusted_proxy_forwarded_for_is_always_ignored(settings):
    settings.OCC_TRUSTED_PROXIES = []
    assert client_ip(request_from("127.0.0.1", "198.51.100.7")) == "127.0.0.1"


@BEHIND_PROXY
def test_garbage_in_forwarded_for_is_not_an_address():
    assert client_ip(request_from(PROXY, "<script>, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request_from(PROXY, "not-an-ip")) == PROXY


@pytest.mark.django_db
@BEHIND_PROXY
@override_settings(SECURE_SSL_REDIRECT=True)
def test_https_from_the_trusted_proxy_is_not_redirected_again(client):
    """The README's production setup behind a TLS proxy: no endless 301."""
    response = client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    plain = client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


@pytest.mark.django_db
@BEHIND_PROXY
@override_settings(SECURE_SSL_REDIRECT=True)
def test_a_forged_forwarded_proto_from_anyone_else_is_not_believed(client):
    response = client.get(
        reverse("login"), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301 and response["Location"].startswith("https://")


@BEHIND_PROXY
def test_a_forged_forwarded_host_from_anyone_else_is_not_believed(settings):
    from django.http import HttpResponse

    from occ.lib.proxies import TrustedProxyMiddleware

    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    seen = {}

    def view(request):
        seen["host"], seen["secure"] = request.get_host(), request.is_secure()
        return HttpResponse()

    middleware = TrustedProxyMiddleware(view)
    forged = {"HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https"}
    middleware(request_from("203.0.113.9", **forged))
    assert seen == {"host": "testserver", "secure": False}
    middleware(request_from(PROXY, **forged))
    assert seen == {"host": "evil.example", "secure": True}, (
        "the same headers from the proxy are believed"
    )


def _settings_of(**env) -> subprocess.CompletedProcess:
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"OCC_TRUST_PROXY_HEADERS", "OCC_TRUSTED_PROXIES"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="occ.production", SECRET_KEY=secrets.token_urlsafe(50), **env
    )
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.OCC_TRUSTED_PROXIES, getattr(settings, 'SECURE_PROXY_SSL_HEADER', None))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_honours_the_proxy_header_only_when_a_proxy_is_named():
    named = _settings_of(OCC_TRUSTED_PROXIES="10.0.0.5, 192.168.0.0/24")
    assert named.returncode == 0, named.stderr
    assert "['10.0.0.5', '192.168.0.0/24'] ('HTTP_X_FORWARDED_PROTO', 'https')" in named.stdout
    unnamed = _settings_of()
    assert unnamed.returncode == 0, unnamed.stderr
    assert "[] None" in unnamed.stdout


def test_the_old_trust_everyone_switch_and_bad_addresses_are_refused_at_start():
    old = _settings_of(OCC_TRUST_PROXY_HEADERS="1")
    assert old.returncode != 0 and "OCC_TRUSTED_PROXIES" in old.stderr
    bad = _settings_of(OCC_TRUSTED_PROXIES="proxy.example.com")
    assert bad.returncode != 0 and "not an address or network" in bad.stderr
