"""History reads through the official SDK against the in-process app, asserting values.

Covers the read models behind the sequencer: portfolio orders (the whole lifecycle of an
order), fills, settlements, public trades with paging, the Market's 24-hour statistics,
series and events, candlesticks (live, batch, per event, archived), the historical tier,
deposits and withdrawals, and the exchange schedule. Tests build on each other in file
order, on one module-scoped exchange.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from kalshi_python_sync.exceptions import BadRequestException, NotFoundException

from tests.inprocess import InProcessExchange

M1, M2, M3 = "KXTEST-26DEC-T1", "KXTEST-26DEC-T2", "KXTEST-26DEC-T3"
EVENT = "KXTEST-26DEC"


@pytest.fixture(scope="module")
def alice(server: InProcessExchange) -> Any:
    return server.sdk(server.user("alice", "1000"))


@pytest.fixture(scope="module")
def bob(server: InProcessExchange) -> Any:
    return server.sdk(server.user("bob", "1000", key_type="ed25519"))


def order(sdk: Any, **kw: Any) -> Any:
    args = {"time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross"}
    args.update(kw)
    return sdk.create_order_v2(**args)


def ioc(sdk: Any, **kw: Any) -> Any:
    return order(sdk, time_in_force="immediate_or_cancel", **kw)


def test_order_lifecycle_appears_in_get_orders(alice: Any, bob: Any) -> None:
    rested = order(alice, ticker=M1, side="bid", count="10", price="0.56", client_order_id="h-1")
    listed = alice.get_orders(ticker=M1).orders
    assert [(o.order_id, o.status, o.fill_count_fp) for o in listed] == [
        (rested.order_id, "resting", "0.00")
    ]
    assert listed[0].client_order_id == "h-1"
    assert listed[0].outcome_side == "yes"
    assert listed[0].book_side == "bid"

    taken = ioc(bob, ticker=M1, side="ask", count="4", price="0.50")
    mine = alice.get_order(order_id=rested.order_id).order
    assert (mine.status, mine.fill_count_fp, mine.remaining_count_fp) == ("resting", "4.00", "6.00")
    assert mine.maker_fill_cost_dollars == "2.2400"  # 4 YES at the maker's $0.56
    assert mine.yes_price_dollars == "0.5600"
    theirs = bob.get_order(order_id=taken.order_id).order
    assert (theirs.status, theirs.fill_count_fp, theirs.outcome_side) == ("executed", "4.00", "no")
    assert theirs.taker_fill_cost_dollars == "1.7600"  # 4 NO at $0.44
    assert theirs.taker_fees_dollars == "0.0690"

    alice.cancel_order_v2(order_id=rested.order_id)
    canceled = alice.get_orders(status="canceled").orders
    assert [(o.order_id, o.fill_count_fp, o.remaining_count_fp) for o in canceled] == [
        (rested.order_id, "4.00", "0.00")
    ]
    assert alice.get_orders(status="resting").orders == []
    assert alice.get_orders(event_ticker="KXMAKER-26DEC").orders == []
    assert [o.order_id for o in bob.get_orders(status="executed").orders] == [taken.order_id]


def test_orders_of_others_are_404_and_orders_page(alice: Any, bob: Any) -> None:
    first = alice.get_orders().orders[0]
    with pytest.raises(NotFoundException):
        bob.get_order(order_id=first.order_id)
    with pytest.raises(NotFoundException):
        alice.get_order(order_id="no-such-order")
    extra = order(alice, ticker=M2, side="bid", count="1", price="0.05")
    page = alice.get_orders(limit=1)
    assert [o.order_id for o in page.orders] == [extra.order_id]  # newest first
    assert page.cursor != ""
    rest = alice.get_orders(limit=1, cursor=page.cursor)
    assert [o.order_id for o in rest.orders] == [first.order_id]
    assert rest.cursor == ""
    alice.cancel_order_v2(order_id=extra.order_id)
    with pytest.raises(BadRequestException):
        alice.get_orders(status="open")


def test_fills_carry_fees_and_sides(alice: Any, bob: Any) -> None:
    (taker,) = bob.get_fills(ticker=M1).fills
    assert (taker.is_taker, taker.count_fp, taker.yes_price_dollars) == (True, "4.00", "0.5600")
    assert (taker.outcome_side, taker.book_side, taker.fee_cost) == ("no", "ask", "0.0690")
    assert taker.exchange_index == 0
    (maker,) = alice.get_fills().fills
    assert (maker.is_taker, maker.fee_cost, maker.outcome_side) == (False, "0.0000", "yes")
    assert maker.trade_id == taker.trade_id
    assert alice.get_fills(order_id=maker.order_id).fills[0].fill_id == maker.fill_id
    assert alice.get_fills(ticker=M2).fills == []


def test_trades_newest_first_with_paging(alice: Any, bob: Any) -> None:
    for price in ("0.30", "0.35", "0.40"):
        order(alice, ticker=M2, side="bid", count="1", price=price)
        ioc(bob, ticker=M2, side="ask", count="1", price=price)
    page = alice.get_trades(ticker=M2, limit=2)
    assert [t.yes_price_dollars for t in page.trades] == ["0.4000", "0.3500"]
    assert page.trades[0].taker_book_side == "ask"
    assert page.trades[0].taker_outcome_side == "no"
    assert page.trades[0].is_block_trade is False
    assert page.cursor != ""
    rest = alice.get_trades(ticker=M2, limit=2, cursor=page.cursor)
    assert [t.yes_price_dollars for t in rest.trades] == ["0.3000"]
    assert rest.cursor == ""
    assert len(alice.get_trades().trades) == 4  # M1's trade too


def test_market_carries_24h_volume(alice: Any) -> None:
    market = alice.get_market(ticker=M2).market
    assert market.volume_24h_fp == "3.00"
    assert market.previous_price_dollars == "0.0000"  # nothing traded a day ago
    listed = {m.ticker: m for m in alice.get_markets(event_ticker=EVENT).markets}
    assert listed[M1].volume_24h_fp == "4.00"
    assert listed[M3].volume_24h_fp == "0.00"


def test_settlements_after_settle(server: InProcessExchange, alice: Any, bob: Any) -> None:
    order(alice, ticker=M3, side="bid", count="2", price="0.40")
    ioc(bob, ticker=M3, side="ask", count="2", price="0.40")
    server.admin("POST", f"/markets/{M3}/settle", {"result": "yes"})
    (won,) = alice.get_settlements().settlements
    assert (won.ticker, won.event_ticker, won.market_result) == (M3, EVENT, "yes")
    assert (won.yes_count_fp, won.yes_total_cost_dollars, won.no_count_fp) == (
        "2.00",
        "0.8000",
        "0.00",
    )
    assert (won.revenue, won.value) == (200, 100)
    (lost,) = bob.get_settlements(ticker=M3).settlements
    assert (lost.no_count_fp, lost.no_total_cost_dollars, lost.revenue) == ("2.00", "1.2000", 0)
    assert bob.get_settlements(event_ticker="KXMAKER-26DEC").settlements == []


def test_series_shapes_and_filters(alice: Any) -> None:
    listed = alice.get_series_list().series
    assert [s.ticker for s in listed] == ["KXMAKER", "KXTEST"]
    test = listed[1]
    assert (test.title, test.category) == ("Test series", "Economics")
    assert test.categories == ["Economics"]
    assert (test.frequency, test.fee_type, test.fee_multiplier) == ("daily", "quadratic", 1.0)
    assert (test.tags, test.settlement_sources, test.additional_prohibitions) == (None, None, None)
    assert (test.contract_url, test.contract_terms_url) == ("", "")
    assert [s.ticker for s in alice.get_series_list(category="Crypto").series] == ["KXMAKER"]
    one = alice.get_series(series_ticker="KXTEST", include_volume=True).series
    assert one.volume_fp == "9.00"  # 4 on T1, 3 on T2, 2 on T3
    with pytest.raises(NotFoundException):
        alice.get_series(series_ticker="NOPE")


def test_events_shapes_and_filters(alice: Any) -> None:
    events = alice.get_events().events
    assert [e.event_ticker for e in events] == ["KXMAKER-26DEC", EVENT]
    assert events[1].collateral_return_type == ""
    assert events[1].markets is None
    assert [e.event_ticker for e in alice.get_events(status="settled").events] == [EVENT]
    assert [e.event_ticker for e in alice.get_events(status="open").events] == [
        "KXMAKER-26DEC",
        EVENT,
    ]
    nested = alice.get_events(series_ticker="KXTEST", with_nested_markets=True).events
    assert [m.ticker for m in nested[0].markets] == [M1, M2, M3]
    page = alice.get_events(limit=1)
    assert page.cursor == "KXMAKER-26DEC"
    assert [e.event_ticker for e in alice.get_events(cursor=page.cursor).events] == [EVENT]

    one = alice.get_event(event_ticker=EVENT)
    assert (one.event.title, one.event.sub_title, one.event.mutually_exclusive) == (
        "Test event",
        "Dec 2026",
        False,
    )
    assert [m.ticker for m in one.markets] == [M1, M2, M3]
    assert one.markets[1].volume_24h_fp == "3.00"
    meta = alice.get_event_metadata(event_ticker=EVENT)
    assert [d.market_ticker for d in meta.market_details] == [M1, M2, M3]
    assert meta.settlement_sources == []
    with pytest.raises(NotFoundException):
        alice.get_event(event_ticker="NOPE")


def _window() -> tuple[int, int]:
    now = int(time.time())
    return now - 86_400, now + 86_400


def test_candlesticks_ohlc_after_trades(alice: Any) -> None:
    start, end = _window()
    candles = alice.get_market_candlesticks(
        series_ticker="KXTEST", ticker=M2, start_ts=start, end_ts=end, period_interval=60
    ).candlesticks
    # The three trades may straddle an hour boundary: check the candles as a whole.
    traded = [c for c in candles if c.price.close_dollars is not None]
    assert traded[0].price.open_dollars == "0.3000"
    assert traded[-1].price.close_dollars == "0.4000"
    assert max(c.price.high_dollars for c in traded) == "0.4000"
    assert min(c.price.low_dollars for c in traded) == "0.3000"
    assert sum(float(c.volume_fp) for c in candles) == 3.0
    assert candles[-1].open_interest_fp == "3.00"

    batch = alice.batch_get_market_candlesticks(
        market_tickers=f"{M1},{M2}", start_ts=start, end_ts=end, period_interval=1440
    ).markets
    assert [m.market_ticker for m in batch] == [M1, M2]
    assert sum(float(c.volume_fp) for c in batch[0].candlesticks) == 4.0

    by_event = alice.get_market_candlesticks_by_event(
        series_ticker="KXTEST", ticker=EVENT, start_ts=start, end_ts=end, period_interval=1440
    )
    assert by_event.market_tickers == [M1, M2, M3]
    assert by_event.adjusted_end_ts == end
    assert [sum(float(c.volume_fp) for c in m) for m in by_event.market_candlesticks] == [4, 3, 2]

    later = alice.get_market_candlesticks(
        series_ticker="KXTEST",
        ticker=M2,
        start_ts=end,
        end_ts=end + 3600,
        period_interval=60,
        include_latest_before_start=True,
    ).candlesticks
    assert len(later) == 1
    assert later[0].price.previous_dollars == "0.4000"
    assert later[0].price.close_dollars is None
    with pytest.raises(BadRequestException):
        alice.get_market_candlesticks(
            series_ticker="KXTEST", ticker=M2, start_ts=start, end_ts=end, period_interval=5
        )


def test_historical_tier(alice: Any) -> None:
    cutoff = alice.get_historical_cutoff()
    expected = datetime.now(UTC) - timedelta(days=90)
    assert abs(cutoff.market_settled_ts - expected) < timedelta(hours=1)
    assert cutoff.trades_created_ts == cutoff.market_settled_ts
    # Everything here happened after the cutoff: the archive is empty, the live tier full.
    assert alice.get_historical_markets().markets == []
    assert alice.get_trades_historical().trades == []
    assert alice.get_fills_historical().fills == []
    assert alice.get_historical_orders().orders == []
    assert alice.get_historical_positions().market_positions == []
    with pytest.raises(NotFoundException):
        alice.get_historical_market(ticker=M3)
    start, end = _window()
    archived = alice.get_market_candlesticks_historical(
        ticker=M2, start_ts=start, end_ts=end, period_interval=1440
    ).candlesticks
    assert [(c.price.high, c.price.low, c.volume) for c in archived] == [
        ("0.4000", "0.3000", "3.00")
    ]


def test_deposits_withdrawals_and_schedule(server: InProcessExchange, alice: Any) -> None:
    server.admin("POST", "/users/alice/withdraw", {"amount": "5"})
    (withdrawal,) = alice.get_withdrawals().withdrawals
    assert (withdrawal.amount_cents, withdrawal.status, withdrawal.fee_cents) == (500, "applied", 0)
    (deposit,) = alice.get_deposits().deposits
    assert (deposit.amount_cents, deposit.type) == (100_000, "ach")
    schedule = alice.get_exchange_schedule().schedule
    assert schedule.maintenance_windows == []
    week = schedule.standard_hours[0]
    assert [(d.open_time, d.close_time) for d in week.sunday] == [("00:00", "23:59")]
