"""Every HTML page carries a Content-Security-Policy, and nothing on it needs more.

The pages are discovered from the URLconf (tests/security/urlconf.py), as in
the permission matrix, and opened as an administrator, an agent and an
anonymous visitor; the sandbox's phone, Django's admin and the error pages
are added by hand. Each HTML answer must carry the policy of
occ/settings.py, and its markup must run under it: every inline <script>
carries the answer's nonce (JSON data blocks aside: they never run), no element has an inline event handler or a
style attribute, and every <style> block carries the nonce too. The
browser tests (tests/browser) check the same pages in Chromium.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.urlconf import endpoints

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


class InlineCode(HTMLParser):
    """What a page's markup would ask of the policy: inline scripts, styles, handlers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inline_scripts: list[dict] = []
        self.style_blocks: list[dict] = []
        self.handlers: list[str] = []
        self.style_attributes: list[str] = []
        self.javascript_urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self.inline_scripts.append(attributes)
        if tag == "style":
            self.style_blocks.append(attributes)
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
            if name == "style":
                self.style_attributes.append(f"<{tag} style={value!r}>")
            if name in {"href", "src", "action", "formaction"} and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.javascript_urls.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def check_html_answer(label: str, response) -> None:
    """The policy is there, strict, and the markup needs nothing it does not allow."""
    header = response.get("Content-Security-Policy")
    assert header, f"{label}: no Content-Security-Policy"
    policy = parse_policy(header)
    for directive, values in REQUIRED.items():
        assert set(policy.get(directive, [])) == values, (
            f"{label}: {directive} is {policy.get(directive)}"
        )
    for directive in ("script-src", "style-src", "img-src", "connect-src"):
        assert "'self'" in policy.get(directive, []), (
            f"{label}: {directive} is {policy.get(directive)}"
        )
        assert (
            "'unsafe-inline'" not in policy[directive] and "'unsafe-eval'" not in policy[directive]
        ), label
    nonces = {
        v.removeprefix("'nonce-").removesuffix("'")
        for v in policy["script-src"]
        if v.startswith("'nonce-")
    }
    markup = InlineCode()
    markup.feed(response.content.decode())
    for script in markup.inline_scripts:
        if script.get("type") == "application/json":
            continue  # a data block: never run, so the policy does not apply to it
        assert script.get("nonce") in nonces, (
            f"{label}: an inline <script> without the answer's nonce: {script}"
        )
    style_nonces = {
        v.removeprefix("'nonce-").removesuffix("'")
        for v in policy["style-src"]
        if v.startswith("'nonce-")
    }
    for style in markup.style_blocks:
        assert style.get("nonce") in style_nonces, (
            f"{label}: a <style> block without the answer's nonce"
        )
    assert not markup.handlers, f"{label}: inline event handlers {markup.handlers}"
    assert not markup.style_attributes, f"{label}: style attributes {markup.style_attributes}"
    assert not markup.javascript_urls, f"{label}: javascript: URLs {markup.javascript_urls}"


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_every_html_page_of_the_urlconf_has_the_policy_and_runs_under_it(world):
    visitors = {
        "administrator": signed_in(world["admin"]),
        "agent": signed_in(world["owner"].user),
        "anonymous": Client(),
    }
    checked = set()
    for who, client in visitors.items():
        for endpoint in endpoints(world):
            if endpoint.name == "logout":
                continue
            response = client.get(endpoint.url)
            if is_html(response):
                check_html_answer(f"{who} GET {endpoint.url} ({response.status_code})", response)
                checked.add(endpoint.name)
    # The discovery really reached the pages (a page that stopped being HTML would drop out silently).
    assert {
        "login",
        "agents:desk",
        "agents:supervisor",
        "agents:user_edit",
        "widgets:edit",
        "widgets:preview",
        "services:list",
        "advanced_settings:chat_channel",
        "api-docs",
    } <= checked


def test_the_api_documentation_runs_its_inline_script_with_the_nonce(admin_client):
    response = admin_client.get(reverse("api-docs"))
    check_html_answer("api docs", response)
    markup = InlineCode()
    markup.feed(response.content.decode())
    assert markup.inline_scripts, (
        "Swagger UI is started by an inline script: it must be there, with the nonce"
    )


def test_the_sandbox_phone_and_the_admin_have_the_policy(admin_client, admin_user, settings):
    settings.OCC_SANDBOX = True
    admin_pages = (
        "/admin/",
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        f"/admin/auth/user/{admin_user.pk}/change/",
    )
    for url in ("/sandbox/phone/", *admin_pages):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        check_html_answer(url, response)
    check_html_answer("/admin/login/", Client().get("/admin/login/"))


def test_error_pages_have_the_policy(admin_client, agent, settings):
    settings.DEBUG = False
    check_html_answer("404", admin_client.get("/no-such-page/"))
    agent_client = signed_in(agent.user)
    forbidden = agent_client.get(reverse("agents:supervisor"))
    assert forbidden.status_code == 403
    check_html_answer("403", forbidden)


@pytest.mark.urls("tests.security.error_urls")
def test_the_500_page_has_the_policy(settings):
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/fail-for-tests/")
    assert response.status_code == 500
    check_html_answer("500", response)


def test_a_nonce_is_new_on_every_answer(admin_client):
    first = admin_client.get(reverse("api-docs"))["Content-Security-Policy"]
    second = admin_client.get(reverse("api-docs"))["Content-Security-Policy"]
    nonce = re.compile(r"'nonce-([^']+)'")
    assert nonce.search(first) and nonce.search(first).group(1) != nonce.search(second).group(1)


def test_an_answer_with_its_own_policy_keeps_it(world, client):
    key = world["widget"].public_key
    response = client.get(reverse("widgets:qr_svg", args=[key]), HTTP_ORIGIN="https://shop.example")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"


def test_the_widgets_public_answers_stay_usable_from_other_websites(world, client):
    """Websites show the QR code in <img>, <object> or <iframe>: no frame-ancestors there."""
    key = world["widget"].public_key
    for url in (
        reverse("widgets:embed"),
        reverse("widgets:config", args=[key]),
        reverse("widgets:qr_png", args=[key]),
    ):
        response = client.get(url, HTTP_ORIGIN="https://shop.example")
        assert response.status_code == 200, url
        assert "frame-ancestors" not in response.get("Content-Security-Policy", ""), url


def test_the_widgets_sample_page_allows_the_widget_from_the_public_url(
    world, admin_client, settings
):
    settings.OCC_PUBLIC_BASE_URL = "https://support.example.com"
    response = admin_client.get(reverse("widgets:preview", args=[world["widget"].pk]))
    check_html_answer("preview", response)
    policy = parse_policy(response["Content-Security-Policy"])
    for directive in ("script-src", "connect-src", "img-src"):
        assert "https://support.example.com" in policy[directive], directive
    assert b'src="https://support.example.com/widget/embed.js"' in response.content


def test_the_csrf_failure_page_has_the_policy_and_runs_under_it():
    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "ada", "password": "x"}
    )
    assert response.status_code == 403
    check_html_answer("403 CSRF", response)
    assert b"CSRF verification failed" in response.content
