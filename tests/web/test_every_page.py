"""Every page, in a real browser: no console error, no failed request, no serious
accessibility violation (axe-core, vendored), in the light and the dark theme, and no
sideways scrolling on a 390 px wide phone.

axe-core is evaluated through the DevTools protocol (``page.evaluate``), which the page's
Content-Security-Policy does not govern, so the policy stays exactly as served.
Member pages and a public profile (``/u/<username>``) are checked signed in; the phone
check covers them too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.web.site import AXE, Problems, Site
from tests.web.test_browser import _operator

pytestmark = pytest.mark.process

expect.set_options(timeout=15_000)

PUBLIC = [
    "/",
    "/?category=Economics",
    "/event/test-event",
    "/leaderboard",
    "/developers",
    "/developers/api",
    "/developers/kalshi",
]
MEMBER = ["/portfolio", "/account", "/notifications", "/watchlist", "/event/test-event"]
OPERATOR = [
    "/operator",
    "/operator/users",
    "/operator/cash",
    "/operator/catalogue",
    "/operator/markets",
    "/operator/flags",
    "/operator/markets/KXTEST-26DEC-T1/settle?result=no",
]
SERIOUS = ("serious", "critical")


def _settle(page: Page) -> None:
    """Wait for the page's own late fetches (the equity chart loads its points after the
    page), so the next navigation does not abort one."""
    page.wait_for_load_state("networkidle")
    if page.locator("#equity").count():
        expect(page.locator("#equity")).to_have_attribute("data-loaded", re.compile(r"^\d+$"))


def _axe(page: Page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def _visit(page: Page, problems: Problems, paths: list[str], label: str) -> list[str]:
    found: list[str] = []
    for path in paths:
        page.goto(path)
        _settle(page)
        found += [f"{label} {path}: {v}" for v in _axe(page)]
        found += [f"{label} {path}: {p}" for p in problems.items]
        problems.items.clear()
    return found


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_every_page_is_clean_and_accessible(fresh: Site, dark: bool) -> None:
    theme = "dark" if dark else "light"
    anonymous, anon_problems = fresh.page(dark=dark)
    found = _visit(anonymous, anon_problems, [*PUBLIC, "/login", "/signup"], f"{theme} anon")
    operator = _operator(fresh, f"every-{theme}@example.com")
    if dark:  # a signed-in person's theme is their setting; the moon button switches it
        operator.locator(".theme-toggle").click()
        expect(operator.locator("html")).to_have_attribute("data-theme", "dark")
        operator.wait_for_load_state("networkidle")
    op_problems = Problems()
    op_problems.watch(operator)
    me = operator.request.get("/api/auth/me")
    assert me.ok
    profile = f"/u/{me.json()['user']['username']}"  # a public profile, signed in and out
    found += _visit(operator, op_problems, [*MEMBER, profile, *OPERATOR], f"{theme} operator")
    found += _visit(anonymous, anon_problems, [profile], f"{theme} anon")
    assert found == [], "\n".join(found)


def _overflow(page: Page, paths: list[str]) -> list[tuple[str, int]]:
    found = []
    for path in paths:
        page.goto(path)
        _settle(page)
        overflow: int = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            found.append((path, overflow))
    return found


def test_phone_width_has_no_sideways_scrolling(fresh: Site) -> None:
    page, problems = fresh.page(width=390, height=844)
    assert _overflow(page, [*PUBLIC, "/login", "/signup"]) == []
    assert problems.items == []
    # A member's own pages, signed in on the phone.
    member, member_problems = fresh.page(width=390, height=844)
    fresh.sign_up(member, "phone@example.com", "Pia")
    _settle(member)  # sign-up lands on the portfolio: let its chart load before moving on
    me = member.request.get("/api/auth/me")
    assert me.ok
    profile = f"/u/{me.json()['user']['username']}"
    assert _overflow(member, [*MEMBER, profile]) == []
    assert member_problems.items == []
