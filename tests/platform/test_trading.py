"""Events, books, trades, limit orders, positions and protections, in process.

Expected figures are computed by hand from the contract (prices in cents, quadratic fees
are left to the engine: the tests compare balances with fees read from the fills).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.world import serve

T4 = "KXPF-RATES-T4"
RAIN = "KXPF-RAIN-Y"


@pytest.fixture(scope="module")
def ex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    with serve(tmp_path_factory.mktemp("trading")) as exchange:
        yield exchange


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition never came true"
        time.sleep(0.01)


def test_events_list_search_and_slugs(ex: InProcessExchange) -> None:
    anon = ex.browser()
    events = anon.call("GET", "/api/events").json()["events"]
    slugs = {e["id"]: e["slug"] for e in events}
    assert slugs == {"KXPF-RATES": "fed-rate-in-december", "KXPF-RAIN": "rain-in-london-tomorrow"}
    found = anon.call("GET", "/api/events", params={"q": "heathrow"}).json()["events"]
    assert [e["id"] for e in found] == ["KXPF-RAIN"]  # matched in the rules, not the title
    found = anon.call("GET", "/api/events", params={"q": "FED december"}).json()["events"]
    assert [e["id"] for e in found] == ["KXPF-RATES"]
    one = anon.call("GET", "/api/events/fed-rate-in-december").json()
    assert [o["label"] for o in one["event"]["options"]] == ["Above 4%", "Above 5%"]
    assert one["rules"][T4].startswith("Resolves yes if the upper bound")
    ref = anon.call("GET", "/api/events/by-slug/rain-in-london-tomorrow").json()
    assert ref == {
        "id": "KXPF-RAIN",
        "slug": "rain-in-london-tomorrow",
        "title": "Rain in London tomorrow?",
    }
    assert anon.call("GET", "/api/events/no-such-event").status_code == 404
    single = anon.call("GET", "/api/events/rain-in-london-tomorrow").json()
    assert single["event"]["options"][0]["label"] == "Yes"  # a single-market event


def _maker_and_taker(ex: InProcessExchange, tag: str) -> tuple[Browser, Browser]:
    maker, taker = ex.browser(), ex.browser()
    maker.signup(f"maker-{tag}@example.com", dollars=1000)
    taker.signup(f"taker-{tag}@example.com", dollars=100)
    return maker, taker


def test_trade_fills_against_a_limit_order_and_shows_a_position(ex: InProcessExchange) -> None:
    maker, taker = _maker_and_taker(ex, "a")
    # The maker sells YES at 60: buying NO at 40 (an ask on the YES book at 60).
    response = maker.call(
        "POST",
        "/api/limit-orders",
        {"optionId": T4, "side": "NO", "action": "BUY", "quantity": 10, "limitPriceCents": 40},
    )
    assert response.status_code == 201, response.text
    order = response.json()["order"]
    assert order["status"] == "open"
    book = ex.browser().call("GET", f"/api/orderbook/{T4}").json()
    assert book["yes"]["asks"] == [
        {"priceCents": 60, "priceBps": 6000, "quantity": 10, "quantityCentis": 1000}
    ]
    assert book["no"]["bids"][0]["priceCents"] == 40
    trade = taker.call(
        "POST",
        "/api/trades",
        {"optionId": T4, "side": "YES", "action": "BUY", "quantity": 4, "priceCents": 65},
    )
    assert trade.status_code == 201, trade.text
    result = trade.json()
    assert result["filledQuantity"] == 4
    assert result["averagePriceCents"] == 60  # the maker's price
    assert result["notionalCents"] == 240
    positions = taker.call("GET", "/api/positions").json()
    (position,) = positions["positions"]
    assert position["optionId"] == T4
    assert position["side"] == "YES"
    assert position["quantity"] == 4
    assert position["averagePriceCents"] == 60
    # Fee: 7% x 4 x 0.60 x 0.40 = $0.0672, paid as 7 cents (the balance change is floored).
    assert result["feeCents"] == 7
    assert positions["summary"]["cashCents"] == 10_000 - 240 - 7
    trades = taker.call("GET", "/api/trades", params={"status": "open"}).json()["trades"]
    assert [(t["side"], t["action"], t["quantity"], t["priceCents"]) for t in trades] == [
        ("YES", "BUY", 4, 60)
    ]
    # The maker's order is partly filled and still open; cancel it.
    open_orders = maker.call("GET", "/api/limit-orders").json()["orders"]
    assert [(o["id"], o["remainingQuantityCentis"]) for o in open_orders] == [(order["id"], 600)]
    cancelled = maker.call("DELETE", f"/api/limit-orders/{order['id']}")
    assert cancelled.status_code == 200
    assert cancelled.json()["order"]["status"] == "cancelled"
    assert maker.call("DELETE", f"/api/limit-orders/{order['id']}").status_code == 409
    assert taker.call("DELETE", f"/api/limit-orders/{order['id']}").status_code == 404
    history = maker.call("GET", "/api/limit-orders", params={"status": "history"}).json()
    assert [o["id"] for o in history["orders"]] == [order["id"]]


def test_refusals_change_nothing(ex: InProcessExchange) -> None:
    poor = ex.browser()
    poor.signup("poor@example.com", dollars=1)
    before = ex.state()
    response = poor.call(
        "POST",
        "/api/limit-orders",
        {"optionId": RAIN, "side": "YES", "action": "BUY", "quantity": 10, "limitPriceCents": 50},
    )
    assert response.status_code == 402
    assert response.json() == {"error": "insufficient funds"}
    after = ex.state()
    assert after[1] == before[1]  # the refused command is journaled but changes nothing
    nothing = poor.call(
        "POST",
        "/api/trades",
        {"optionId": RAIN, "side": "YES", "action": "SELL", "quantity": 1, "priceCents": 50},
    )
    assert nothing.status_code == 409
    assert ex.state()[1] == before[1]


def test_a_closed_market_is_409(ex: InProcessExchange) -> None:
    trader = ex.browser()
    trader.signup("closed@example.com", dollars=100)
    ex.admin("POST", "/markets/KXPF-RATES-T5/close")
    before = ex.state()[1]
    response = trader.call(
        "POST",
        "/api/trades",
        {
            "optionId": "KXPF-RATES-T5",
            "side": "YES",
            "action": "BUY",
            "quantity": 1,
            "priceCents": 50,
        },
    )
    assert response.status_code == 409
    assert "not open" in response.json()["error"]
    assert ex.state()[1] == before


def test_protection_fires_once_when_another_user_moves_the_price(ex: InProcessExchange) -> None:
    maker, taker = _maker_and_taker(ex, "p")
    mover = ex.browser()
    mover.signup("mover@example.com", dollars=1000)
    assert (
        maker.call(
            "POST",
            "/api/limit-orders",
            {"optionId": RAIN, "side": "NO", "action": "BUY", "quantity": 5, "limitPriceCents": 50},
        ).status_code
        == 201
    )
    trade = taker.call(
        "POST",
        "/api/trades",
        {"optionId": RAIN, "side": "YES", "action": "BUY", "quantity": 5, "priceCents": 50},
    )
    assert trade.status_code == 201
    protection = taker.call("POST", f"/api/positions/{RAIN}/protections", {"stopLossProbBps": 3000})
    assert protection.status_code == 201, protection.text
    # Bids for the protection's sale to hit, then a trade at 25 that crosses the stop.
    assert (
        maker.call(
            "POST",
            "/api/limit-orders",
            {
                "optionId": RAIN,
                "side": "YES",
                "action": "BUY",
                "quantity": 10,
                "limitPriceCents": 25,
            },
        ).status_code
        == 201
    )
    assert (
        mover.call(
            "POST",
            "/api/trades",
            {"optionId": RAIN, "side": "NO", "action": "BUY", "quantity": 1, "priceCents": 75},
        ).status_code
        == 201
    )

    def sold() -> bool:
        return bool(taker.call("GET", "/api/positions").json()["positions"] == [])

    wait_for(sold)
    trades = taker.call("GET", "/api/trades").json()["trades"]
    assert [(t["action"], t["quantity"], t["priceCents"]) for t in trades] == [
        ("SELL", 5, 25),
        ("BUY", 5, 50),
    ]
