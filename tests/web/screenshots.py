"""Take the README's screenshots: ``python -m tests.web.screenshots [OUT_DIR]``.

Starts ``augury demo`` on a fresh data directory and a free port, lets its simulated
traders fill the books, signs in as the demo user (the demo's operator), buys a little
from the ticket so the portfolio has something in it, and captures the main pages on a
desktop (1280 px) and a phone (390 px) in the light and the dark theme. Not a test; the
pictures go to ``docs/screenshots/`` by default.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect, sync_playwright

from tests.e2e.server_harness import AUGURY, ROOT, free_port
from tests.web.site import CHROMIUM_ARGS, chromium_path

PAGES = {
    "markets": "/",
    "event": None,  # the busiest event, found at run time
    "portfolio": "/portfolio",
    "account": "/account",
    "operator": "/operator",
    "leaderboard": "/leaderboard",
}
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the demo exited"
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the demo did not start")


def _busiest_event(page: Page) -> str:
    # An economics event: its prices sit mid-range, unlike a 5-minute crypto market's.
    page.goto("/?category=Economics&sort=volume")
    href = page.locator(".event-title a").first.get_attribute("href")
    assert href is not None
    return href


def _trade_a_little(page: Page, event: str) -> None:
    page.goto(event)
    page.locator(".options-table a.btn").nth(1).click()  # a mid-priced option
    page.wait_for_load_state("networkidle")
    page.locator("label[for=t-yes]").click()
    page.get_by_label("Order type").select_option("market")
    page.get_by_label("Contracts", exact=True).fill("25")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#ticket-result")).to_be_visible(timeout=15_000)
    page.get_by_label("Order type").select_option("limit")
    page.get_by_label("Contracts", exact=True).fill("40")
    page.get_by_label("Limit price (¢, 1–99)").fill("12")
    page.get_by_role("button", name="Place order").click()
    expect(page.locator("#ticket-result")).to_be_visible(timeout=15_000)


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="augury-shots-")) / "data"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(AUGURY), "demo", "--data", str(data), "--port", str(port), "--activity", "high"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    try:
        _wait_ready(url, proc)
        time.sleep(20)  # let the simulated traders build books, tapes and candles
        password = (data / "demo_user_password").read_text().strip()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Email").fill("demo@augury.local")
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda u: "/login" not in u)
            event = _busiest_event(page)
            _trade_a_little(page, event)
            event = page.url.removeprefix(url)
            time.sleep(3)
            for theme in ("light", "dark"):
                is_dark = page.locator("html").get_attribute("data-theme") == "dark"
                if (theme == "dark") != is_dark:
                    page.locator(".theme-toggle").click()
                    page.wait_for_load_state("networkidle")
                for size, (width, height) in VIEWPORTS.items():
                    page.set_viewport_size({"width": width, "height": height})
                    for name, path in PAGES.items():
                        page.goto(path or event)
                        page.wait_for_load_state("networkidle")
                        time.sleep(1.5)  # charts draw after their data arrives
                        page.screenshot(path=str(out / f"{name}-{size}-{theme}.png"))
            if page.locator("html").get_attribute("data-theme") == "dark":
                page.locator(".theme-toggle").click()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
