"""The website's state changes are billed to the same per-user limiter as ``/api``.

Pages call the ``/api`` handlers in process (``web.bridge``), past the dispatcher that
bills ``/api`` requests; ``web.bridge.charge`` bills them instead, under the session's
own key. Expectations come from the platform's documented limit (``PlatformSettings``:
60 requests per rolling minute per session), not from the bridge.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from augury.platform.settings import PlatformSettings
from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

RAIN = "KXPF-RAIN-Y"
HTMX = {"HX-Request": "true"}
PER_MINUTE = PlatformSettings().requests_per_minute  # the documented default: 60


@pytest.fixture
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("web-limits")) as exchange:
        yield exchange


def _form(browser: Browser, path: str, data: dict[str, Any], **kw: Any) -> Any:
    return browser.call("POST", path, data={"csrf_token": browser.csrf or "", **data}, **kw)


def _ticket_order(browser: Browser, price: str) -> Any:
    fields = {
        "side": "YES",
        "action": "BUY",
        "kind": "limit",
        "unit": "contracts",
        "quantity": "1",
        "amount": "",
        "limit": price,
        "slug": "rain-in-london-tomorrow",
    }
    return _form(browser, f"/m/{RAIN}/order", fields, headers=HTMX)


def test_web_orders_are_held_to_the_per_user_api_limit(ex: InProcessExchange) -> None:
    assert PER_MINUTE == 60
    trader = ex.browser()
    trader.signup("web-limit@example.com", dollars=1000)
    for _ in range(PER_MINUTE):
        placed = _ticket_order(trader, "5")
        assert "Limit order placed" in placed.text, placed.text[-400:]
    # The 61st order within the minute is refused with the limiter's own message, and
    # nothing reaches the exchange.
    refused = _ticket_order(trader, "5")
    assert "too many requests: at most 60 per minute" in refused.text
    # The session's /api budget is the same one: it is spent too.
    assert trader.call("GET", "/api/limit-orders").status_code == 429
    # Another member's budget is untouched.
    other = ex.browser()
    other.signup("web-limit-other@example.com", dollars=100)
    assert "Limit order placed" in _ticket_order(other, "5").text
    # A minute later the window has moved on: exactly the 60 orders rest.
    ex.fake_clock.advance(61 * 1_000_000_000)
    listing = trader.call("GET", "/api/limit-orders", params={"limit": "100"})
    assert listing.status_code == 200
    assert len(listing.json()["orders"]) == PER_MINUTE
    assert "Limit order placed" in _ticket_order(trader, "5").text


def test_page_reads_do_not_spend_the_api_budget(ex: InProcessExchange) -> None:
    reader = ex.browser()
    reader.signup("web-reader@example.com", dollars=10)
    # Each portfolio view runs several /api handlers in process; none is billed.
    for _ in range(PER_MINUTE + 5):
        assert reader.call("GET", "/portfolio").status_code == 200
    assert reader.call("GET", "/api/limit-orders").status_code == 200
