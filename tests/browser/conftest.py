"""Playwright driving Debian's Chromium (/usr/bin/chromium), headless.

Playwright's own browser download does not work on these machines, so the
launch names the executable. The sync API runs an event loop in the test's
thread; DJANGO_ALLOW_ASYNC_UNSAFE lets the test itself use the ORM meanwhile.

Every browser context, however a test opens it, reports the
Content-Security-Policy violations of its pages (a `securitypolicyviolation`
listener, and Chromium's "Refused to ..." console messages), and every
browser test fails at teardown if there was any.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Runs in every document before its own scripts: reports each violation to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__occCspViolation({
    page: location.href, directive: event.effectiveDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
}, true);
"""


# File answers (customers' media, uploads) carry their own `sandbox; default-src 'none'`
# policy: there the browser refusing things (even its own viewer's styles) is the
# point, and tests/browser/test_media_in_browser.py asserts what must not run.
FILE_ANSWER = re.compile(r"^https?://[^/]+/desk/(media|files)/")


class CspViolations:
    """The violations reported by every context of the session's browser, for the running test."""

    def __init__(self):
        self.found: list[str] = []

    def watch(self, context) -> None:
        context.expose_binding("__occCspViolation", self._reported)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", self._console)

    def _reported(self, source, report) -> None:
        if not FILE_ANSWER.match(report.get("page", "")):
            self.found.append(f"violation: {report}")

    def _console(self, message) -> None:
        if FILE_ANSWER.match(message.location.get("url") or ""):
            return
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.found.append(f"console: {message.text} ({message.location.get('url')})")


def _watching(browser, violations: CspViolations):
    """Make browser.new_context / new_page report violations, for tests that open their own."""
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        violations.watch(context)
        return context

    def watched_page(*args, **kwargs):
        context = watched_context(*args, **kwargs)
        page = context.new_page()
        # Closing a page opened this way closes its context too, as Browser.new_page does.
        page.on("close", lambda _page: context.close())
        return page

    browser.new_context, browser.new_page = watched_context, watched_page
    return browser


@pytest.fixture(scope="session")
def csp_violations():
    return CspViolations()


@pytest.fixture(autouse=True)
def _no_csp_violations(request, csp_violations):
    """Every browser test runs its pages under the Content-Security-Policy with zero violations."""
    csp_violations.found.clear()
    yield
    if "browser" in request.keywords:
        found, csp_violations.found[:] = list(csp_violations.found), []
        assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


@pytest.fixture(scope="session")
def browser(csp_violations):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: scripts/test.sh installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            yield _watching(browser, csp_violations)
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(locale="en-US")
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    page.set_default_timeout(10_000)
    return page
