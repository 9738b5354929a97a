"""The widget in a real browser, embedded in a page of another origin.

The host page is served from a second loopback server (another port is
another origin), exactly as a company's website would embed the snippet.
"""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
import zxingcpp
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Hostile styles a real website might have: none may reach the widget, and
# the widget must not change them.
HOST_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Shop</title>
<style>
  body { font-family: Georgia, serif; color: rgb(120, 20, 20); background: rgb(250, 240, 230); }
  * { letter-spacing: 3px !important; }
  button, a, img, div, p { background: rgb(255, 0, 255) !important; border: 7px dashed lime !important;
                           font-size: 31px !important; display: inline !important; }
  #probe { margin: 13px; padding: 5px; }
</style></head>
<body>
  <h1>Espresso machines</h1>
  <p id="probe">Our products</p>
  <button id="host-button">Buy</button>
  %(snippet)s
</body></html>"""


class HostSite:
    """A plain website on its own loopback port, serving one HTML page."""

    def __init__(self, html: str):
        body = html.encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def snippet(live_server, key: str) -> str:
    return (
        f'<script src="{live_server.url}/widget/embed.js" data-occ-widget="{key}" async></script>'
    )


def watch_errors(page) -> list[str]:
    """Uncaught exceptions and console errors (a browser's own favicon request aside)."""
    errors: list[str] = []

    def on_console(msg):
        if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"console: {msg.text} ({msg.location.get('url')})")

    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on("console", on_console)
    return errors


def probe_style(page) -> dict:
    return page.evaluate(
        """() => { const s = getComputedStyle(document.getElementById('probe'));
                   const b = getComputedStyle(document.body);
                   return {margin: s.margin, padding: s.padding, font: s.fontSize, bg: s.backgroundColor,
                           body_font: b.fontFamily, body_color: b.color, body_bg: b.backgroundColor}; }"""
    )


@pytest.fixture
def widget_on(service):
    from widgets.models import Widget

    def make(**fields):
        fields.setdefault("in_use", True)
        return Widget.objects.create(name="Shop", whatsapp_service=service, **fields)

    return make


def decode_element(locator) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(locator.screenshot())))
    assert len(results) == 1
    return results[0].text


def test_visitor_scans_or_clicks_into_whatsapp_web(page, browser_context, live_server, widget_on):
    text = "Ciao! Info sull'ordine #42 & più?"
    with HostSite(HOST_PAGE % {"snippet": ""}) as plain:
        page.goto(plain.origin)
        before = probe_style(page)
    widget = widget_on(prefilled_text=text)
    with HostSite(HOST_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
        widget.allowed_origins = site.origin
        widget.save()
        errors = watch_errors(page)
        browser_context.route(
            "https://web.whatsapp.com/**",
            lambda route: route.fulfill(status=200, content_type="text/html", body="stub"),
        )
        page.goto(site.origin)

        launcher = page.locator("occ-widget .launcher")
        launcher.wait_for()
        assert page.locator("occ-widget .panel").is_hidden()
        # The launcher keeps its own look despite the host's `button {…!important}` rules.
        look = launcher.evaluate(
            "b => { const s = getComputedStyle(b); return [s.backgroundColor, s.fontSize, s.borderStyle]; }"
        )
        assert look == ["rgb(15, 122, 67)", "15px", "none"]
        # And the host page's styles are exactly what they were without the widget.
        assert probe_style(page) == before

        launcher.click()
        qr = page.locator("occ-widget .panel img.qr")
        qr.wait_for(state="visible")
        page.wait_for_function(
            "() => { const i = document.querySelector('occ-widget').shadowRoot.querySelector('img.qr');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        # Nor do inherited properties leak in through the host element.
        title = page.locator("occ-widget .title").evaluate(
            "t => { const s = getComputedStyle(t); return [s.letterSpacing, s.fontFamily.includes('Georgia'), s.color]; }"
        )
        assert title == ["normal", False, "rgb(29, 35, 48)"]
        encoded = quote(text, safe="")
        assert decode_element(qr) == f"https://wa.me/390212345678?text={encoded}"

        with browser_context.expect_page() as new_tab:
            page.locator("occ-widget a.channel").click()
        tab = new_tab.value
        tab.wait_for_load_state()
        assert tab.url == f"https://web.whatsapp.com/send?phone=390212345678&text={encoded}"
        assert "stub" in tab.content()

        page.keyboard.press("Escape")
        assert page.locator("occ-widget .panel").is_hidden()
        assert probe_style(page) == before
        assert errors == []


def test_attribution_gives_the_visit_its_own_code(page, browser_context, live_server, widget_on):
    from widgets.models import WidgetVisit

    widget = widget_on(prefilled_text="Hello", attribution_enabled=True)
    with HostSite(HOST_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
        errors = watch_errors(page)
        browser_context.route(
            "https://web.whatsapp.com/**", lambda route: route.fulfill(status=200, body="stub")
        )
        page.goto(site.origin + "/")
        page.locator("occ-widget .launcher").click()
        link = page.locator("occ-widget a.channel")
        page.wait_for_function(
            "() => document.querySelector('occ-widget').shadowRoot.querySelector('a.channel').href.includes('ref.')"
        )
        visit = WidgetVisit.objects.get(widget=widget)
        assert visit.page_url == site.origin + "/"
        expected_text = quote(f"Hello (ref. {visit.ref_code})", safe="")
        page.wait_for_function(
            "() => { const i = document.querySelector('occ-widget').shadowRoot.querySelector('img.qr');"
            " return i.src.includes('ref=') && i.complete && i.naturalWidth > 0; }"
        )
        assert (
            decode_element(page.locator("occ-widget img.qr"))
            == f"https://wa.me/390212345678?text={expected_text}"
        )
        with browser_context.expect_page() as new_tab:
            link.click()
        new_tab.value.wait_for_load_state()
        assert (
            new_tab.value.url
            == f"https://web.whatsapp.com/send?phone=390212345678&text={expected_text}"
        )
        for _ in range(50):
            visit.refresh_from_db()
            if visit.opened_whatsapp_at:
                break
            page.wait_for_timeout(100)
        assert visit.opened_whatsapp_at is not None
        assert errors == []


IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


def test_on_a_phone_the_channel_opens_the_app_link(browser, live_server, widget_on):
    widget = widget_on(prefilled_text="Ciao")
    context = browser.new_context(
        user_agent=IPHONE, viewport={"width": 390, "height": 844}, has_touch=True
    )
    try:
        context.route("https://wa.me/**", lambda route: route.fulfill(status=200, body="stub"))
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors = watch_errors(page)
        with HostSite(HOST_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
            page.goto(site.origin)
            page.locator("occ-widget .launcher").click()
            link = page.locator("occ-widget a.channel")
            link.wait_for(state="visible")
            # A phone cannot scan its own screen: no QR code, one button into the app.
            assert page.locator("occ-widget img.qr").count() == 0
            with context.expect_page() as new_tab:
                link.click()
            new_tab.value.wait_for_load_state()
            assert new_tab.value.url == "https://wa.me/390212345678?text=Ciao"
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("case", ["origin not allowed", "unknown widget", "not in use"])
def test_nothing_is_drawn_and_nothing_thrown(page, live_server, widget_on, case):
    widget = widget_on(
        allowed_origins="https://www.example.com" if case == "origin not allowed" else "",
        in_use=case != "not in use",
    )
    key = "unknown-key" if case == "unknown widget" else widget.public_key
    with HostSite(HOST_PAGE % {"snippet": snippet(live_server, key)}) as site:
        page_errors: list[str] = []
        page.on("pageerror", lambda exc: page_errors.append(str(exc)))
        console: list[str] = []
        page.on("console", lambda msg: console.append(msg.text) if msg.type == "error" else None)
        with page.expect_response(lambda r: r.url.endswith("/config.json")) as answer:
            page.goto(site.origin)
        status = 403 if case == "origin not allowed" else 404
        assert answer.value.status == status
        # Let the script's promise chain settle (it reacts to the answer in a microtask).
        page.wait_for_load_state("load")
        page.evaluate("() => new Promise(resolve => setTimeout(resolve, 300))")
        assert page.locator("occ-widget").count() == 0
        assert page_errors == []
        # Only the browser's own note of the refused request; the script adds nothing.
        assert len(console) == 1 and f"status of {status}" in console[0], console


def test_administrator_tries_the_widget_on_the_sample_page(
    page, live_server, widget_on, admin_user
):
    widget = widget_on()
    errors = watch_errors(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "ada")
    page.fill("#id_password", "admin-pass-123")
    page.click("button[type=submit]")
    page.wait_for_url("**/console/**")
    page.goto(f"{live_server.url}/settings/widgets/{widget.pk}/preview/")
    page.locator("occ-widget .launcher").click()
    assert (
        page.locator("occ-widget a.channel").get_attribute("href")
        == "https://web.whatsapp.com/send?phone=390212345678"
    )
    assert errors == []
