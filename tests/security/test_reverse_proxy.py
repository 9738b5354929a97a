"""The README's production setup behind a real TLS-terminating nginx, on another "host".

nginx terminates TLS on a loopback port and forwards to uvicorn running
occ.production (its own SQLite file, collected static files) with the
README's flags: `--no-proxy-headers`, and OCC_TRUSTED_PROXIES naming the
proxy. nginx connects from 127.0.0.2 (proxy_bind), so the application sees
the proxy as a host of its own; the tests themselves call from 127.0.0.1,
an address nothing trusts. Checked: log-in over https without a redirect
loop, webhook signatures for the public URL (and only for it), a forged
X-Forwarded-Proto / X-Forwarded-For not believed, and the static files.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests
import urllib3
from twilio.request_validator import RequestValidator

from tests.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_NUMBER, load_payload

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
PROXY_ADDRESS = "127.0.0.2"
ADMIN, PASSWORD = "ada", "admin-pass-123"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        NGINX is None,
        reason="needs Debian's nginx (apt-get install -y nginx; scripts/test.sh does)",
    ),
    pytest.mark.skipif(
        shutil.which("openssl") is None, reason="needs openssl for the test certificate"
    ),
]

SEED = f"""
from django.contrib.auth import get_user_model
from services.models import Service
from settings.models import ChatChannelSettings
from agents.models import AgentProfile
get_user_model().objects.create_user(username={ADMIN!r}, password={PASSWORD!r}, is_staff=True, is_superuser=True)
config = ChatChannelSettings.load()
config.whatsapp_enabled = True
config.account_sid = {ACCOUNT_SID!r}
config.set_auth_token({AUTH_TOKEN!r})
config.save()
service = Service.objects.create(name="Care", chat_enabled=True, whatsapp_enabled=True, twilio_number={SERVICE_NUMBER!r})
agent = get_user_model().objects.create_user(username="alex", password="agent-pass-123")
AgentProfile.objects.create(user=agent, max_interactions=3).services.add(service)
"""

NGINX_CONF = """
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{https_port} ssl;
        ssl_certificate {dir}/cert.pem;
        ssl_certificate_key {dir}/key.pem;
        location / {{
            proxy_pass http://127.0.0.1:{app_port};
            proxy_bind {proxy};
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"port {port} never opened: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """nginx (TLS) → uvicorn running occ.production, configured as the README says."""
    work = tmp_path_factory.mktemp("proxy")
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / name).mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-days",
            "2",
            "-keyout",
            str(work / "key.pem"),
            "-out",
            str(work / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    https_port, app_port = free_port(), free_port()
    public = f"https://127.0.0.1:{https_port}"
    unset = {
        "DATABASE_URL",
        "REDIS_URL",
        "DEBUG",
        "OCC_SANDBOX",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "OCC_PUBLIC_BASE_URL",
    }
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="occ.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        OCC_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        OCC_PUBLIC_BASE_URL=public,
        OCC_TRUSTED_PROXIES=PROXY_ADDRESS,
        SQLITE_PATH=str(work / "db.sqlite3"),
        STATIC_ROOT=str(work / "static"),
        OCC_MEDIA_ROOT=str(work / "media"),
    )
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["shell", "-c", SEED],
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    app_log = work / "uvicorn.log"
    # The README's command, one worker.
    app = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "occ.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(app_port),
            "--no-proxy-headers",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=app_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    conf = work / "nginx.conf"
    conf.write_text(
        NGINX_CONF.format(dir=work, https_port=https_port, app_port=app_port, proxy=PROXY_ADDRESS)
    )
    nginx_log = work / "error.log"
    nginx_log.touch()
    proxy = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=nginx_log.open("a"),
    )
    try:
        wait_for_port(app_port, app, app_log)
        wait_for_port(https_port, proxy, nginx_log)
        yield {
            "public": public,
            "direct": f"http://127.0.0.1:{app_port}",
            "db": work / "db.sqlite3",
            "log": app_log,
        }
    finally:
        stop(proxy)
        stop(app)


@pytest.fixture
def browser():
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = requests.Session()
    session.verify = False  # the test's self-signed certificate
    session.trust_env = False  # else REQUESTS_CA_BUNDLE would override verify=False
    yield session
    session.close()


def query(stack, sql: str, *args):
    with sqlite3.connect(stack["db"]) as db:
        return db.execute(sql, args).fetchall()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_console_log_in_works_over_https_without_a_redirect_loop(stack, browser):
    login = stack["public"] + "/accounts/login/"
    page = browser.get(login, allow_redirects=False, timeout=10)
    assert page.status_code == 200, f"{page.status_code} {page.headers.get('Location')}"
    assert "Strict-Transport-Security" in page.headers
    response = browser.post(
        login,
        {"username": ADMIN, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        headers={"Referer": login},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    assert response.cookies.get("sessionid") and "secure" in response.headers["Set-Cookie"].lower()
    hops = []
    url = urljoin(login, response.headers["Location"])
    while True:
        hops.append(url)
        assert url.startswith(stack["public"] + "/"), hops
        answer = browser.get(url, allow_redirects=False, timeout=10)
        if answer.status_code not in (301, 302):
            break
        assert len(hops) < 5, f"redirect loop: {hops}"
        url = urljoin(url, answer.headers["Location"])
    assert answer.status_code == 200, hops
    assert "/console" in url or "/settings" in url, hops


def signed(url: str, params: dict) -> dict:
    return {"X-Twilio-Signature": RequestValidator(AUTH_TOKEN).compute_signature(url, params)}


def stored_messages(stack) -> int:
    return query(stack, "SELECT count(*) FROM interactions_message")[0][0]


def test_a_webhook_signed_for_the_public_url_is_accepted_and_stored(stack, browser):
    url = stack["public"] + "/whatsapp/twilio/inbound"
    params = load_payload(
        "inbound_text",
        MessageSid="SM" + "7" * 32,
        SmsMessageSid="SM" + "7" * 32,
        SmsSid="SM" + "7" * 32,
    )
    before = stored_messages(stack)
    response = browser.post(
        url, data=params, headers=signed(url, params), allow_redirects=False, timeout=10
    )
    assert response.status_code == 200, response.text[:300]
    assert stored_messages(stack) == before + 1


@pytest.mark.parametrize(
    "signed_for",
    [
        "http://127.0.0.1:{port}/whatsapp/twilio/inbound",  # the scheme the proxy was called with swapped
        "http://127.0.0.1:{app_port}/whatsapp/twilio/inbound",  # what the application's own socket sees
        "https://127.0.0.1:{app_port}/whatsapp/twilio/inbound",
        "https://evil.example/whatsapp/twilio/inbound",
    ],
)
def test_a_webhook_signed_for_any_other_url_is_refused(stack, browser, signed_for):
    port, app_port = stack["public"].rsplit(":", 1)[1], stack["direct"].rsplit(":", 1)[1]
    url = stack["public"] + "/whatsapp/twilio/inbound"
    params = load_payload(
        "inbound_text",
        MessageSid="SM" + "8" * 32,
        SmsMessageSid="SM" + "8" * 32,
        SmsSid="SM" + "8" * 32,
    )
    before = stored_messages(stack)
    response = browser.post(
        url,
        data=params,
        headers=signed(signed_for.format(port=port, app_port=app_port), params),
        timeout=10,
    )
    assert response.status_code == 403
    assert stored_messages(stack) == before


def test_a_forged_forwarded_proto_straight_to_the_application_is_not_believed(stack):
    """A client reaching uvicorn past the proxy cannot claim https: it is sent to the public https URL."""
    response = requests.get(
        stack["direct"] + "/accounts/login/",
        headers={"X-Forwarded-Proto": "https", "Host": "127.0.0.1"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response.headers, "HSTS only on a secure request"
    assert "ignoring X-Forwarded-* headers from 127.0.0.1" in stack["log"].read_text()


def test_a_forged_forwarded_for_through_the_proxy_does_not_choose_the_address(stack, browser):
    """nginx appends the address it saw; what the client put before it is not the client's address."""
    login = stack["public"] + "/accounts/login/"
    page = browser.get(login, timeout=10)
    response = browser.post(
        login,
        {
            "username": "nobody-here",
            "password": "wrong",
            "csrfmiddlewaretoken": csrf_token(page.text),
        },
        headers={"Referer": login, "X-Forwarded-For": "198.51.100.77"},
        timeout=10,
    )
    assert response.status_code == 200
    assert query(
        stack, "SELECT ip_address FROM axes_accessattempt WHERE username = 'nobody-here'"
    ) == [("127.0.0.1",)]


def test_static_files_are_served_hashed_compressed_and_cached_for_a_year(stack, browser):
    page = browser.get(stack["public"] + "/accounts/login/", timeout=10)
    hrefs = re.findall(r'href="(/static/css/occ\.[0-9a-f]{12}\.css)"', page.text)
    assert hrefs, "the {% static %} URL carries the content hash"
    url = stack["public"] + hrefs[0]
    plain = browser.get(url, headers={"Accept-Encoding": "identity"}, timeout=10)
    assert plain.status_code == 200 and plain.headers["Content-Type"].startswith("text/css")
    assert "Content-Encoding" not in plain.headers
    cache_control = plain.headers["Cache-Control"]
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
    gzipped = browser.get(url, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=10)
    assert gzipped.headers.get("Content-Encoding") == "gzip"
    assert int(gzipped.headers["Content-Length"]) < len(plain.content)
    try:
        import brotli  # noqa: F401
    except ImportError:
        return  # WhiteNoise makes Brotli copies only with the brotli package installed
    compressed = browser.get(url, headers={"Accept-Encoding": "br"}, stream=True, timeout=10)
    assert compressed.headers.get("Content-Encoding") == "br"
