"""Hostile media and uploads, opened in Chromium the way an agent would: nothing runs on OCC's origin.

A customer of the phone simulator sends an SVG with script, a GIF that is
also a web page and a web page claiming to be a PNG; the sandbox turns each
into a signed inbound webhook whose media its fake Twilio serves. The agent
clicks each attachment in the desk and opens each media URL directly; an
uploaded polyglot is opened at its public URL as anyone holding the link
would. Every payload would change the title and open a dialog if it ran.
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urljoin

import pytest

from tests.browser.test_desk import ADMIN, AGENT, WAIT_MS, log_in, occ_server, write_from_phone  # noqa: F401
from tests.security import media_samples as samples

pytestmark = pytest.mark.browser

CUSTOMER = "+393330003333"


@pytest.fixture(autouse=True)
def _patient_expect():
    from playwright.sync_api import expect

    expect.set_options(timeout=WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


def watch(context, dialogs: list) -> None:
    """Record (and dismiss) every dialog any page of the context opens, popups included."""

    def on_page(page):
        page.on(
            "dialog",
            lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()),
        )

    context.on("page", on_page)


def open_as_navigation(context, url: str):
    """Open a URL in a new tab as a typed address: (the page, the download it caused or None)."""
    from playwright.sync_api import Error

    page = context.new_page()
    download = []
    page.on("download", lambda d: download.append(d))
    try:
        page.goto(url, wait_until="load")
    except Error as exc:  # a download aborts the navigation
        assert "Download is starting" in str(exc) or "net::ERR_ABORTED" in str(exc), exc
    page.wait_for_timeout(300)
    return page, (download[0] if download else None)


def assert_no_script_ran(page) -> None:
    if page.url.startswith("http"):
        assert page.evaluate("document.title") != "pwned"


def customer_sends(phone, name: str, mime: str, data: bytes, text: str) -> None:
    from playwright.sync_api import expect

    phone.set_input_files("#phone-image", files=[{"name": name, "mimeType": mime, "buffer": data}])
    write_from_phone(phone, CUSTOMER, "Mallory", text)
    # The simulator clears its form once the webhook was answered: only then may the next file be chosen.
    expect(phone.locator("#phone-body")).to_have_value("")
    expect(phone.locator("#phone-send")).to_be_enabled()


def test_hostile_media_and_uploads_run_no_script_in_chromium(browser, occ_server):  # noqa: F811
    from playwright.sync_api import expect

    base, database = occ_server
    dialogs: list[str] = []
    desk_context = browser.new_context(locale="en-US", accept_downloads=True)
    phone_context = browser.new_context(locale="en-US")
    stranger_context = browser.new_context(locale="en-US", accept_downloads=True)
    for context in (desk_context, phone_context, stranger_context):
        watch(context, dialogs)
    try:
        desk = log_in(desk_context, base, AGENT)
        expect(desk).to_have_url(base + "/desk/")
        expect(desk.locator("#conn")).to_have_attribute("data-state", "connected")
        desk.click("#presence button[data-presence=online]")
        expect(desk.locator("#presence button.active")).to_have_attribute("data-presence", "online")
        desk_title = desk.title()

        phone = log_in(phone_context, base, ADMIN)
        phone.goto(base + "/sandbox/phone/")
        customer_sends(phone, "cat.svg", "image/svg+xml", samples.SVG, "svg")
        expect(desk.locator("#messages .msg.in")).to_have_count(1)
        customer_sends(phone, "cat.gif", "image/gif", samples.GIF_HTML, "gif")
        expect(desk.locator("#messages .msg.in")).to_have_count(2)
        customer_sends(phone, "cat.png", "image/png", samples.HTML, "png")
        expect(desk.locator("#messages .msg.in")).to_have_count(3)
        svg, gif, png = (desk.locator("#messages .msg.in").nth(i) for i in range(3))

        # The SVG is not drawn from our origin: a download link, and clicking it downloads.
        expect(svg.locator("img")).to_have_count(0)
        with desk.expect_download() as svg_download:
            svg.locator("a.file").click()
        assert svg_download.value.suggested_filename.endswith(".svg")

        # The pictures are shown (a viewer in the page); the file itself, opened in a tab
        # of its own, runs nothing.
        for message in (gif, png):
            picture = message.locator("img")
            expect(picture).to_have_count(1)
            tab = desk_context.new_page()
            tab.goto(urljoin(desk.url, picture.get_attribute("src")))
            tab.wait_for_load_state("load")
            tab.wait_for_timeout(300)
            assert_no_script_ran(tab)
            # Shown as what it claims to be, a picture, never parsed as a page.
            assert tab.evaluate("document.contentType") == (
                "image/gif" if message is gif else "image/png"
            )
            tab.close()

        # Each media URL opened directly, as a typed address.
        for message in (svg, gif, png):
            media = message.locator("a.file") if message is svg else message.locator("img")
            href = (media.first.get_attribute("href") or media.first.get_attribute("src")).split(
                "?"
            )[0]
            tab, download = open_as_navigation(desk_context, base + href)
            assert (download is not None) == (message is svg)
            assert_no_script_ran(tab)
            tab.close()

        # The type served is the stored MediaContentType: relabelled as the other
        # active types (and as a header-injection attempt), the page is a download.
        png_id = png.get_attribute("data-id")
        for attempt, claimed in enumerate(
            (
                "text/html",
                "application/xhtml+xml",
                "text/xml",
                "image/svg+xml",
                "text/html\r\nRefresh: 0",
            )
        ):
            with sqlite3.connect(database) as db:
                db.execute(
                    "UPDATE interactions_message SET attachments = json_set(attachments, '$[0].content_type', ?) WHERE id = ?",
                    (claimed, png_id),
                )
            # (A query of its own each time: the browser caches the earlier answers.)
            tab, download = open_as_navigation(
                desk_context, f"{base}/desk/media/{png_id}/0/?v={attempt}"
            )
            assert download is not None, claimed
            assert_no_script_ran(tab)
            tab.close()

        # An agent's SVG is refused with a reason; a PNG carrying a web page after its end is accepted...
        desk.set_input_files(
            "#reply-file",
            files=[{"name": "pic.svg", "mimeType": "image/png", "buffer": samples.SVG}],
        )
        expect(desk.locator("#composer-error")).to_contain_text("recognise")
        desk.set_input_files(
            "#reply-file",
            files=[
                {
                    "name": "photo.png",
                    "mimeType": "image/png",
                    "buffer": samples.png_with_html_after(),
                }
            ],
        )
        expect(desk.locator("#attachment-name")).to_have_text("photo.png")
        desk.fill("#reply-body", "Here it is")
        desk.click("#send-button")
        expect(desk.locator("#messages .msg.out")).to_have_count(1)
        with sqlite3.connect(database) as db:
            [(attachments,)] = db.execute(
                "SELECT attachments FROM interactions_message WHERE direction = 'out' ORDER BY id DESC LIMIT 1"
            ).fetchall()
        public = json.loads(attachments)[0]["url"]
        # ...and at its public URL, opened by anyone holding the link, it is only a picture.
        tab, download = open_as_navigation(stranger_context, public)
        assert download is None
        assert_no_script_ran(tab)
        assert tab.evaluate("document.contentType") == "image/png"
        # The agent's own copy in the desk, clicked: the in-page viewer draws it as a picture
        # (an <img>, which runs nothing), and its Download link gets the file as a download.
        desk.locator("#messages .msg.out button.viewer-open:has(img)").click()
        viewer = desk.locator("#image-viewer")
        expect(viewer).to_be_visible()
        shown = viewer.locator("img")
        desk.wait_for_function(
            "() => { const i = document.querySelector('#image-viewer img'); return i.complete && i.naturalWidth > 0; }"
        )
        src = urljoin(desk.url, shown.get_attribute("src"))
        assert src.startswith(base + "/desk/media/"), src
        with desk.expect_download() as saved:
            viewer.locator("a.viewer-download").click()
        assert saved.value.suggested_filename.endswith(".png")
        assert desk.url == base + "/desk/"
        viewer.locator(".viewer-close").click()
        expect(viewer).to_be_hidden()
        # What the viewer loads is answered as inert data: its checked type, never sniffed,
        # sandboxed with no script; and with ?download=1, an attachment.
        for url, disposition in ((src, "inline"), (src + "?download=1", "attachment")):
            answer = desk_context.request.get(url)
            assert answer.ok, url
            headers = answer.headers
            assert headers["content-type"] == "image/png", headers
            assert headers["x-content-type-options"] == "nosniff", headers
            assert headers["content-security-policy"].startswith("sandbox"), headers
            assert headers["content-disposition"].startswith(disposition), headers
        # The same file opened in a tab of its own, as a typed address, is only a picture.
        tab, download = open_as_navigation(desk_context, src)
        assert download is None
        assert_no_script_ran(tab)
        assert tab.evaluate("document.contentType") == "image/png"
        tab.close()

        assert desk.title() == desk_title
        assert dialogs == []
    finally:
        desk_context.close()
        phone_context.close()
        stranger_context.close()
