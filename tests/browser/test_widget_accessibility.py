"""The website widget meets WCAG 2.2 AA on a third-party page: axe-core, 200 % zoom, names, colours."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_widget import HostSite, snippet, watch_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A company's page with nothing wrong of its own: whatever axe finds is the widget's.
PLAIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><main><h1>Espresso machines</h1><p>Our products</p></main>%(snippet)s</body></html>"""


def serious(results) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def widget(service):
    from widgets.models import Widget

    return Widget.objects.create(name="Shop", whatsapp_service=service, in_use=True)


def open_panel(page, site) -> None:
    page.goto(site.origin)
    page.locator("occ-widget .launcher").click()
    page.locator("occ-widget .panel .title").wait_for(state="visible")


def test_axe_finds_nothing_serious_in_the_closed_and_the_open_widget(page, live_server, widget):
    with HostSite(PLAIN_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
        errors = watch_errors(page)
        page.goto(site.origin)
        page.locator("occ-widget .launcher").wait_for()
        axe = Axe()
        assert serious(axe.run(page)) == []
        page.locator("occ-widget .launcher").click()
        page.locator("occ-widget .panel img.qr").wait_for(state="visible")
        assert serious(axe.run(page)) == []
        assert errors == []


def test_at_200_percent_zoom_the_open_panel_s_title_and_close_are_in_view(
    browser, live_server, widget
):
    # 200 % zoom of a 1280×720 window: a 640×360 CSS-pixel viewport.
    context = browser.new_context(viewport={"width": 640, "height": 360}, device_scale_factor=2)
    page = context.new_page()
    try:
        with HostSite(PLAIN_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
            open_panel(page, site)
            for part in (".title", ".close"):
                box = page.locator(f"occ-widget .panel {part}").bounding_box()
                assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 360, part
            # What does not fit scrolls inside the panel, down to the link.
            link = page.locator("occ-widget a.channel")
            link.scroll_into_view_if_needed()
            box = link.bounding_box()
            assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 360
            page.locator("occ-widget .close").click()
            assert page.locator("occ-widget .panel").is_hidden()
    finally:
        context.close()


def test_the_link_is_named_by_what_it_shows_and_the_qr_code_has_its_own_text(
    page, live_server, widget
):
    with HostSite(PLAIN_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
        open_panel(page, site)
        link = page.locator("occ-widget a.channel")
        visible = link.inner_text().strip()
        assert visible == "Open WhatsApp Web"
        assert link.get_attribute("aria-label").startswith(visible)  # WCAG 2.5.3 label in name
        # Voice control ("click Open WhatsApp Web") finds it by its visible words.
        assert page.get_by_role("link", name="Open WhatsApp Web").count() == 1
        alt = page.locator("occ-widget img.qr").get_attribute("alt")
        hint = page.locator("occ-widget .hint").inner_text()
        assert alt and alt != hint and "+39 02 1234 5678" in alt or "+390212345678" in alt


def test_the_administrator_s_colour_position_and_texts_are_what_visitors_see(
    page, live_server, widget
):
    widget.colour = "#1d4ed8"
    widget.position = "left"
    widget.launcher_text = "Write to us"
    widget.title_text = "Our shop on WhatsApp"
    widget.save()
    with HostSite(PLAIN_PAGE % {"snippet": snippet(live_server, widget.public_key)}) as site:
        page.goto(site.origin)
        launcher = page.locator("occ-widget .launcher")
        launcher.wait_for()
        assert launcher.inner_text().strip() == "Write to us"
        assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(29, 78, 216)"
        box = launcher.bounding_box()
        assert box is not None and box["x"] < 100  # bottom left
        launcher.click()
        assert page.locator("occ-widget .title").inner_text() == "Our shop on WhatsApp"
