"""A real ``augury serve`` and one headless Chromium, shared by the browser tests.

Chromium is Debian's (``/usr/bin/chromium``; ``.ci/run`` installs it), driven by the
Python ``playwright`` package; nothing is downloaded (``playwright install`` is never
run). One server and one browser serve the whole session; each test opens its own
browser contexts (separate cookies), so tests do not see each other's sessions.

Every page a test opens records its problems: console errors (a CSP violation is one),
uncaught page errors, failed requests and HTTP error responses. An event stream that a
navigation ends (``/live``, ``net::ERR_ABORTED``) is the browser closing it, not a failure;
nor is any other request the browser itself gave up (``net::ERR_ABORTED``): htmx drops a
live section's refresh that a newer request replaced, and a navigation cancels the
favicon or an image still loading. Only the page's own document, styles and scripts must
never be aborted. Server failures still count: every HTTP error status is recorded by the
response handler.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.e2e.server_harness import CATALOG, Server

AXE = Path(__file__).parent / "vendor" / "axe-4.14.0.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"


def chromium_path() -> str | None:
    return shutil.which("chromium")


# Requests a page cannot do without: aborting one of these is a failure, whatever the cause.
_MUST_LOAD = frozenset({"document", "stylesheet", "script"})


@dataclass
class Problems:
    """What went wrong on the pages of one context."""

    items: list[str] = field(default_factory=list)
    allowed_statuses: set[int] = field(default_factory=set)

    def watch(self, page: Page) -> None:
        page.on(
            "console",
            lambda m: (
                self.items.append(f"console {m.type}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.items.append(f"page error: {e}"))
        page.on("requestfailed", self._failed)
        page.on(
            "response",
            lambda r: (
                self.items.append(f"HTTP {r.status} {r.url}")
                if r.status >= 400 and r.status not in self.allowed_statuses
                else None
            ),
        )

    def _failed(self, request: object) -> None:
        url = getattr(request, "url", "")
        failure = getattr(request, "failure", "")
        aborted = "ERR_ABORTED" in str(failure)
        if aborted and "/live" in url:
            return  # a navigation closed the page's event stream
        if aborted and getattr(request, "resource_type", "") not in _MUST_LOAD:
            return  # the browser gave up a request a newer one or a navigation replaced
        self.items.append(f"request failed: {url} {failure}")


class Site:
    """The server, the browser, and helpers to act on the site like a person."""

    def __init__(self, server: Server, playwright: Playwright, browser: Browser) -> None:
        self.server = server
        self.url = server.url
        self.playwright = playwright
        self.browser = browser
        self._contexts: list[BrowserContext] = []

    def page(
        self, *, width: int = 1280, height: int = 900, dark: bool = False
    ) -> tuple[Page, Problems]:
        """A fresh browser context (no cookies) and a page in it, watched for problems."""
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            color_scheme="dark" if dark else "light",
            base_url=self.url,
        )
        self._contexts.append(context)
        page = context.new_page()
        problems = Problems()
        problems.watch(page)
        return page, problems

    def sign_up(self, page: Page, email: str, first_name: str) -> None:
        page.goto("/signup")
        page.get_by_label("First name").fill(first_name)
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        page.wait_for_url("**/portfolio")

    def sign_in(self, page: Page, email: str) -> None:
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/login" not in url)

    def make_operator(self, email: str) -> None:
        self.server.admin("POST", "/platform/operators", {"email": email, "enabled": True})

    def close_contexts(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts = []


@contextmanager
def running_site(data: Path) -> Iterator[Site]:
    server = Server(data)
    server.start()
    try:
        server.admin("POST", "/catalog", CATALOG)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            site = Site(server, playwright, browser)
            try:
                yield site
            finally:
                site.close_contexts()
                browser.close()
    finally:
        server.close()
