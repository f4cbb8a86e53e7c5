"""Event slugs without anyone listing events first, and the one fee rule (decision 0041).

Expected figures are computed by hand in the comments: the series is ``quadratic`` with
multiplier 1, so a taker pays 0.07 x C x P x (1 - P) per fill and a maker nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.inprocess import Browser, InProcessExchange
from tests.platform.test_trading import wait_for
from tests.platform.world import serve

T4 = "KXPF-RATES-T4"
RAIN = "KXPF-RAIN-Y"


@pytest.fixture
def ex(tmp_path: Path) -> Iterator[InProcessExchange]:
    with serve(tmp_path) as exchange:
        yield exchange


def _limit(who: Browser, option: str, side: str, action: str, qty: int, cents: int) -> Any:
    response = who.call(
        "POST",
        "/api/limit-orders",
        {
            "optionId": option,
            "side": side,
            "action": action,
            "quantity": qty,
            "limitPriceCents": cents,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["order"]


def _trade(who: Browser, option: str, side: str, action: str, qty: int, cents: int) -> Any:
    response = who.call(
        "POST",
        "/api/trades",
        {"optionId": option, "side": side, "action": action, "quantity": qty, "priceCents": cents},
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_a_fresh_server_shows_the_slug_on_orders_trades_and_positions(
    ex: InProcessExchange,
) -> None:
    # Nobody has called /api/events: the slug comes from the catalogue change itself.
    maker, taker = ex.browser(), ex.browser()
    maker.signup("slug-maker@example.com", dollars=100)
    taker.signup("slug-taker@example.com", dollars=100)
    order = _limit(maker, T4, "NO", "BUY", 2, 40)
    assert order["eventSlug"] == "fed-rate-in-december"  # from "Fed rate in December"
    _trade(taker, T4, "YES", "BUY", 1, 60)
    [trade] = taker.call("GET", "/api/trades").json()["trades"]
    assert trade["eventSlug"] == "fed-rate-in-december"
    [position] = taker.call("GET", "/api/positions").json()["positions"]
    assert position["eventSlug"] == "fed-rate-in-december"
    [resting] = maker.call("GET", "/api/limit-orders").json()["orders"]
    assert resting["eventSlug"] == "fed-rate-in-december"


def test_an_event_added_later_has_its_slug_in_the_next_reply(ex: InProcessExchange) -> None:
    ex.admin(
        "POST",
        "/catalog",
        {
            "events": [
                {
                    "event_ticker": "KXPF-SNOW",
                    "series_ticker": "KXPF",
                    "title": "Snow in Paris?",
                    "sub_title": "",
                }
            ],
            "markets": [
                {
                    "ticker": "KXPF-SNOW-Y",
                    "event_ticker": "KXPF-SNOW",
                    "title": "Snow?",
                    "yes_sub_title": "Snow",
                    "open_time": "2026-01-01T00:00:00Z",
                    "close_time": "2030-01-01T00:00:00Z",
                    "rules_primary": "Snow at Orly.",
                }
            ],
        },
    )
    trader = ex.browser()
    trader.signup("snow@example.com", dollars=10)
    assert _limit(trader, "KXPF-SNOW-Y", "YES", "BUY", 1, 10)["eventSlug"] == "snow-in-paris"


def test_fees_and_the_portfolio_summary_against_a_hand_computed_case(ex: InProcessExchange) -> None:
    maker, taker = ex.browser(), ex.browser()
    maker.signup("fee-maker@example.com", dollars=1000)
    taker.signup("fee-taker@example.com", dollars=100)  # 10_000 cents
    for _ in range(4):  # four separate asks: YES at 50, one contract each
        _limit(maker, T4, "NO", "BUY", 1, 50)
    _limit(maker, T4, "YES", "BUY", 2, 40)  # the YES bid at 40
    _limit(maker, T4, "NO", "BUY", 1, 30)  # the YES ask at 70
    # One order, four fills of 1 at 50c: each fill's exact fee is 0.07 x 0.25 = 1.75c.
    # Cumulative 1.75, 3.50, 5.25, 7.00 -> rounded up 2, 4, 6, 7: fills show 2, 2, 2, 1
    # (the balance is floored per fill and the order's accumulator rebates the cent).
    bought = _trade(taker, T4, "YES", "BUY", 4, 50)
    assert bought["feeCents"] == 7
    assert bought["notionalCents"] == 200
    assert bought["balanceCents"] == 10_000 - 200 - 7
    # Sell one at 40: fee 0.07 x 0.4 x 0.6 = 1.68c -> 2c; cash +40 - 1.68 floored = +38.
    sold = _trade(taker, T4, "YES", "SELL", 1, 40)
    assert sold["feeCents"] == 2
    assert sold["balanceCents"] == 9_793 + 38

    trades = taker.call("GET", "/api/trades").json()["trades"]  # newest first
    assert [(t["action"], t["priceCents"], t["feeCents"]) for t in trades] == [
        ("SELL", 40, 2),
        ("BUY", 50, 1),
        ("BUY", 50, 2),
        ("BUY", 50, 2),
        ("BUY", 50, 2),
    ]

    def fill_notes() -> list[Any]:
        notes = taker.call("GET", "/api/me/notifications").json()["notifications"]
        return [n for n in notes if n["kind"] == "fill"]

    wait_for(lambda: len(fill_notes()) == 5)
    assert sorted(n["data"]["feeCents"] for n in fill_notes()) == [1, 2, 2, 2, 2]

    listing = taker.call("GET", "/api/positions").json()
    [position] = listing["positions"]
    # Held 3 YES; cost basis 200 - 200/4 = 150; realised 40 - 50 = -10 gross, fees 7 + 2.
    # Mid of the book: bid 40 (one left) and ask 70 -> 55; value 3 x 55 = 165.
    assert position["quantity"] == 3
    assert position["costBasisCents"] == 150
    assert position["averagePriceCents"] == 50
    assert position["markPriceCents"] == 55
    assert position["marketValueCents"] == 165
    assert position["unrealizedPnlCents"] == 15
    assert position["feesPaidCents"] == 9 == sum(t["feeCents"] for t in trades)
    assert position["realizedPnlCents"] == -10 - 9
    assert listing["summary"] == {
        "cashCents": 9_831,
        "reservedCents": 0,
        "investedCents": 150,
        "marketValueCents": 165,
        "unrealizedPnlCents": 15,
        "realizedPnlCents": -19,
        "equityCents": 9_831 + 165,
    }
