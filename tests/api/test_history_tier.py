"""Time-dependent history reads on a fake clock: day-ago quotes, 24-hour volume, and the
historical tier with a one-day cutoff.

The app runs in-process (lifespan included) on a ``FakeClock``, so "a day later" is one
``advance`` call and every boundary is exact.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from augury.api.schemas.base import rfc3339_from_ns
from tests.inprocess import V2, InProcessExchange, Key, running_exchange

HOUR = 3600 * 1_000_000_000
LIVE, GONE = "KXH-26DEC-LIVE", "KXH-26DEC-GONE"
CATALOG = {
    "series": [{"ticker": "KXH", "title": "History"}],
    "events": [{"event_ticker": "KXH-26DEC", "series_ticker": "KXH"}],
    "markets": [{"ticker": t, "event_ticker": "KXH-26DEC"} for t in (LIVE, GONE)],
}


def get(app: InProcessExchange, path: str, key: Key | None = None, status: int = 200) -> Any:
    response = app.call("GET", path, key)
    assert response.status_code == status, response.text
    return response.json()


def order(
    app: InProcessExchange, key: Key, ticker: str, side: str, price: str, count: str, tif: str
) -> Any:
    response = app.order(key, ticker, side, price, count, tif)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessExchange]:
    data = tmp_path_factory.mktemp("history-tier")
    with running_exchange(
        data, catalog=CATALOG, rate_limits=False, historical_cutoff_days=1
    ) as exchange:
        yield exchange


@pytest.fixture(scope="module")
def traded(app: InProcessExchange) -> tuple[Key, Key]:
    """alice buys 5 YES at $0.60 on LIVE (5 more rest) and 2 YES at $0.30 on GONE, which
    then settles NO; a day and two hours pass."""
    alice, bob = app.user("alice"), app.user("bob")
    order(app, alice, LIVE, "bid", "0.60", "10", "good_till_canceled")
    order(app, bob, LIVE, "ask", "0.60", "5", "immediate_or_cancel")
    order(app, alice, GONE, "bid", "0.30", "2", "good_till_canceled")
    order(app, bob, GONE, "ask", "0.30", "2", "immediate_or_cancel")
    market = get(app, f"{V2}/markets/{LIVE}")["market"]
    assert (market["volume_24h_fp"], market["previous_price_dollars"]) == ("5.00", "0.0000")
    app.admin("POST", f"/markets/{GONE}/settle", {"result": "no"})
    app.fake_clock.advance(26 * HOUR)
    return alice, bob


def test_previous_quotes_are_a_day_old_and_volume_rolls_off(
    app: InProcessExchange, traded: Any
) -> None:
    market = get(app, f"{V2}/markets/{LIVE}")["market"]
    assert market["volume_24h_fp"] == "0.00"
    assert market["volume_fp"] == "5.00"
    assert market["previous_price_dollars"] == "0.6000"
    assert (market["previous_yes_bid_dollars"], market["previous_yes_ask_dollars"]) == (
        "0.6000",
        "1.0000",
    )
    listed = {m["ticker"]: m for m in get(app, f"{V2}/markets")["markets"]}
    assert listed[LIVE]["previous_price_dollars"] == "0.6000"


def test_cutoff_is_now_minus_the_configured_days(app: InProcessExchange, traded: Any) -> None:
    cutoff = get(app, f"{V2}/historical/cutoff")
    expected = rfc3339_from_ns(app.clock.now_ns() - 24 * HOUR)
    assert cutoff["market_settled_ts"] == cutoff["orders_updated_ts"] == expected


def test_archive_holds_what_finished_before_the_cutoff(app: InProcessExchange, traded: Any) -> None:
    alice, bob = traded
    markets = get(app, f"{V2}/historical/markets")
    assert ([m["ticker"] for m in markets["markets"]], markets["cursor"]) == ([GONE], "")
    assert get(app, f"{V2}/historical/markets/{GONE}")["market"]["result"] == "no"
    get(app, f"{V2}/historical/markets/{LIVE}", status=404)
    trades = get(app, f"{V2}/historical/trades")["trades"]
    assert [t["ticker"] for t in trades] == [GONE, LIVE]
    assert len(get(app, f"{V2}/historical/fills", bob)["fills"]) == 2
    # alice's LIVE order still rests: never historical. Her filled GONE order is.
    orders = get(app, f"{V2}/historical/orders", alice)["orders"]
    assert [(o["ticker"], o["status"]) for o in orders] == [(GONE, "executed")]
    positions = get(app, f"{V2}/historical/positions", alice)["market_positions"]
    assert [p["ticker"] for p in positions] == [GONE]
    candles = get(
        app,
        f"{V2}/historical/markets/{GONE}/candlesticks?start_ts=0&end_ts=2000000000&period_interval=1440",
    )["candlesticks"]
    assert [(c["price"]["close"], c["volume"]) for c in candles][:1] == [("0.3000", "2.00")]


def test_live_tier_keeps_serving_everything(app: InProcessExchange, traded: Any) -> None:
    alice, _bob = traded
    assert len(get(app, f"{V2}/markets/trades")["trades"]) == 2
    orders = get(app, f"{V2}/portfolio/orders", alice)["orders"]
    assert sorted(o["ticker"] for o in orders) == [GONE, LIVE]
    assert get(app, f"{V2}/markets/{GONE}")["market"]["status"] == "finalized"


def test_historical_orders_come_in_full_pages(app: InProcessExchange, traded: Any) -> None:
    """Orders that are still resting, or finished after the cutoff, are skipped by the query
    itself: every page but the last holds ``limit`` orders (they used to be filtered after
    the page was cut, which left short and even empty pages with a cursor)."""
    carol = app.user("carol")
    ids = [order(app, carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    ids += [order(app, carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    ids += [order(app, carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    old = ids[:2]  # cancelled now, so historical once the clock has moved a day on
    for order_id in old:
        app.ok("DELETE", f"{V2}/portfolio/events/orders/{order_id}", carol)
    late = [order(app, carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    late += [order(app, carol, LIVE, "bid", "0.10", "1", "good_till_canceled")["order_id"]]
    app.fake_clock.advance(25 * HOUR)
    # ids[2] was created before the cutoff but is cancelled only now: not historical yet.
    app.ok("DELETE", f"{V2}/portfolio/events/orders/{ids[2]}", carol)
    pages: list[list[str]] = []
    cursor = ""
    while True:
        query = f"limit=1&cursor={quote(cursor)}" if cursor else "limit=1"
        page = get(app, f"{V2}/historical/orders?{query}", carol)
        pages.append([o["order_id"] for o in page["orders"]])
        cursor = page["cursor"]
        if not cursor:
            break
    assert pages == [[old[1]], [old[0]]]
    assert late[0] not in {o for p in pages for o in p}
