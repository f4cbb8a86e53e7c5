"""The order ticket by keyboard alone, in a real browser.

From the ticket's first control, only Tab, the arrow keys, Space, typing and Enter are
used: choose NO with an arrow key, keep Buy with Space, move through the order type and
amount selects, type the quantity and the limit price, and press Enter to submit. The
order must then rest on the exchange as typed (read back through ``/api``), and focus
must have moved through the controls in their visual order.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.web.site import Site
from tests.web.test_browser import EVENT, T1, WAIT_MS, _funded, _operator

pytestmark = pytest.mark.process

expect.set_options(timeout=WAIT_MS)


def _focused(page: Page) -> str:
    focused: str = page.evaluate("() => document.activeElement && document.activeElement.id")
    return focused


def test_the_ticket_places_an_order_by_keyboard(fresh: Site) -> None:
    operator = _operator(fresh, "op-keys@example.com")
    kay = _funded(fresh, operator, "kay@example.com", "Kay")
    kay.goto(f"{EVENT}?m={T1}")
    kay.locator("#t-yes").focus()  # the ticket's first control, as a Tab would reach it
    assert _focused(kay) == "t-yes"
    kay.keyboard.press("ArrowRight")  # the radio group moves to NO
    expect(kay.locator("#t-no")).to_be_checked()
    kay.keyboard.press("Tab")
    assert _focused(kay) == "t-buy"
    kay.keyboard.press("Space")
    expect(kay.locator("#t-buy")).to_be_checked()
    kay.keyboard.press("Tab")
    assert _focused(kay) == "t-kind"  # Limit is the default order type
    kay.keyboard.press("Tab")
    assert _focused(kay) == "t-unit"  # contracts is the default unit
    kay.keyboard.press("Tab")
    assert _focused(kay) == "t-qty"  # the dollar amount is hidden while counting contracts
    kay.keyboard.press("Control+A")
    kay.keyboard.type("3")
    kay.keyboard.press("Tab")
    assert _focused(kay) == "t-limit"
    kay.keyboard.press("Control+A")
    kay.keyboard.type("12")
    # The quote follows the typing (3 NO at 12¢ = $0.36, paying $3 if NO).
    expect(kay.locator("#q-cost")).to_have_text("$0.3600")
    expect(kay.locator("#q-payout")).to_have_text("$3.0000")
    kay.keyboard.press("Enter")  # implicit submission from the text field
    expect(kay.locator("#ticket-result")).to_contain_text("Limit order placed: buy 3 NO at 12¢")
    orders = kay.request.get("/api/limit-orders").json()["orders"]
    assert [(o["optionId"], o["side"], o["action"], o["limitPriceCents"]) for o in orders] == [
        (T1, "NO", "BUY", 12)
    ]
    assert orders[0]["remainingQuantityCentis"] == 300
