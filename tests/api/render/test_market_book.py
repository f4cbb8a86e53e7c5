"""Markets, tickers, lifecycle and books on the wire (CONTRACT §4.1, §4.6, §8.5, §11.4):
by hand."""

from __future__ import annotations

import uuid

from augury.api.render import book as render_book
from augury.api.render import market as render_market
from augury.domain.enums import MarketStatus
from augury.engine.events import BookDelta, MarketUpdate
from tests.api.render.samples import T0, T0_MS, T0_S, T0_TEXT, market, wire


def test_quotes_come_from_the_top_of_the_book() -> None:
    # YES bids at $0.40 (5) and $0.38 (2); NO bids at $0.55 (3), resting as YES asks at $0.45.
    view = market(bids=((4_000, 500), (3_800, 200)), asks=((4_500, 300),))
    body = wire(render_market.market(view, volume_24h_c=1_200, previous=(3_900, 4_600, 4_200)))
    assert (body["yes_bid_dollars"], body["yes_bid_size_fp"]) == ("0.4000", "5.00")
    assert (body["yes_ask_dollars"], body["yes_ask_size_fp"]) == ("0.4500", "3.00")
    assert body["no_bid_dollars"] == "0.5500"  # 1 - best YES ask
    assert body["no_ask_dollars"] == "0.6000"  # 1 - best YES bid
    assert (body["yes_bid"], body["yes_ask"], body["no_bid"], body["no_ask"]) == (40, 45, 55, 60)
    assert body["volume_24h_fp"] == "12.00"
    assert body["previous_price_dollars"] == "0.4200"
    assert body["status"] == "active"
    assert body["title"] == "Will it?"
    assert body["yes_sub_title"] == ""  # required: empty when the catalog has none
    assert body["notional_value_dollars"] == "1.0000"
    assert body["price_ranges"] == [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}]
    assert body["expiration_time"] == body["close_time"]  # none in the catalog
    assert "strike_type" not in body


def test_an_empty_book_reads_zero_and_one_dollar() -> None:
    body = wire(render_market.market(market()))
    assert (body["yes_bid_dollars"], body["yes_ask_dollars"]) == ("0.0000", "1.0000")
    assert (body["no_bid_dollars"], body["no_ask_dollars"]) == ("0.0000", "1.0000")
    assert (body["yes_bid_size_fp"], body["yes_ask_size_fp"]) == ("0.00", "0.00")


def test_a_void_market_has_an_empty_result() -> None:
    view = market()
    view.status, view.result, view.settled_ns = MarketStatus.FINALIZED, "void", T0
    body = wire(render_market.market(view))
    assert body["result"] == ""
    assert body["settlement_ts"] == T0_TEXT
    assert "settlement_value_dollars" not in body


def test_strikes_come_from_the_catalog() -> None:
    view = market(meta={"strike_type": "between", "floor_strike": 4.25, "cap_strike": 4.5})
    body = wire(render_market.market(view))
    assert (body["strike_type"], body["floor_strike"], body["cap_strike"]) == (
        "between",
        4.25,
        4.5,
    )
    assert body["title"] == "KX-A"  # no title: the ticker


def test_market_ids_are_stable_per_instance() -> None:
    mid = render_market.market_id("augury", "KX-A")
    assert uuid.UUID(mid).version == 5
    assert render_market.market_id("augury", "KX-A") == mid
    assert render_market.market_id("other", "KX-A") != mid


def test_ticker_message() -> None:
    view = market(bids=((4_000, 500),))
    view.volume_c, view.open_interest_c, view.last_price_cc = 12_345, 999, 4_100
    state = render_market.ticker_state(view, last_trade_size_c=200)
    msg = wire(render_market.ticker_message("KX-A", "m-1", state, T0))
    assert msg["price_dollars"] == "0.4100"
    assert (msg["yes_bid_dollars"], msg["yes_ask_dollars"]) == ("0.4000", "1.0000")
    assert msg["last_trade_size_fp"] == "2.00"
    assert (msg["volume_fp"], msg["dollar_volume"]) == ("123.45", 123)  # $1 a contract
    assert (msg["open_interest_fp"], msg["dollar_open_interest"]) == ("9.99", 9)
    assert (msg["ts"], msg["ts_ms"], msg["time"]) == (T0_S, T0_MS, T0_TEXT)


def test_lifecycle_messages() -> None:
    view = market()

    def update(kind: str, ts_ns: int = T0, result: str = "", value: int | None = None) -> object:
        return render_market.lifecycle_message(
            view, MarketUpdate(ts_ns, "KX-A", kind, "active", result, value)
        )

    assert update("opened") is None  # no event at open time (§8.5)
    assert update("disputed") is None
    early = wire(update("closed"))  # closed an hour before its close time
    assert early == {
        "event_type": "close_date_updated",
        "market_ticker": "KX-A",
        "close_ts": T0_S,
    }
    assert update("closed", ts_ns=view.close_ts_ns) is None  # on schedule: no message
    voided = wire(update("determined", result="void"))
    assert (voided["result"], voided["determination_ts"]) == ("", T0_S)
    scalar = wire(update("determined", result="scalar", value=2_500))
    assert scalar["settlement_value"] == "0.2500"
    assert wire(update("deactivated"))["is_deactivated"] is True
    assert wire(update("settled"))["settled_ts"] == T0_S
    created = wire(update("created"))
    assert created["open_ts"] == T0_S - 3_600
    assert created["additional_metadata"]["event_ticker"] == "KX-E"
    assert created["additional_metadata"]["expected_expiration_ts"] == T0_S + 3_600


def test_rest_books_are_bids_ascending_with_no_on_the_no_leg() -> None:
    view = market(bids=((4_000, 500), (3_800, 250)), asks=((4_500, 300), (4_700, 100)))
    body = wire(render_book.orderbook(view.book()))
    # Best bid last (§11.4); NO bids at 1 - YES: $0.55 for the YES ask at $0.45.
    assert body["orderbook_fp"] == {
        "yes_dollars": [["0.3800", "2.50"], ["0.4000", "5.00"]],
        "no_dollars": [["0.5300", "1.00"], ["0.5500", "3.00"]],
    }
    assert body["orderbook"]["yes"] == [[38, 2], [40, 5]]  # legacy: floored contracts
    assert body["orderbook"]["no"] == [[53, 1], [55, 3]]
    deepest = wire(render_book.orderbook(view.book(depth=1)))["orderbook_fp"]
    assert deepest == {"yes_dollars": [["0.4000", "5.00"]], "no_dollars": [["0.5500", "3.00"]]}
    empty = wire(render_book.orderbook(market().book()))
    assert empty["orderbook_fp"] == {"yes_dollars": [], "no_dollars": []}  # [] never null


def test_ws_snapshots_and_deltas() -> None:
    view = market(bids=((4_000, 500),), asks=((4_500, 300), (4_700, 100)))
    snap = wire(render_book.snapshot_message(view, "m-1", use_yes_price=False))
    assert snap["yes_dollars_fp"] == [["0.4000", "5.00"]]
    assert snap["no_dollars_fp"] == [["0.5300", "1.00"], ["0.5500", "3.00"]]
    yes_priced = wire(render_book.snapshot_message(view, "m-1", use_yes_price=True))
    assert yes_priced["no_dollars_fp"] == [["0.4500", "3.00"], ["0.4700", "1.00"]]
    one_sided = wire(render_book.snapshot_message(market(bids=((100, 100),)), "m", False))
    assert "no_dollars_fp" not in one_sided  # an empty side is left out (§8.5)
    delta = BookDelta(T0, "KX-A", 3, "ask", 4_500, -200, "ann", 2, "c-1")
    theirs = wire(render_book.delta_message(delta, "m-1", use_yes_price=False, own=False))
    assert theirs == {
        "market_ticker": "KX-A",
        "market_id": "m-1",
        "price_dollars": "0.5500",
        "delta_fp": "-2.00",
        "side": "no",
        "ts": T0_TEXT,
        "ts_ms": T0_MS,
    }
    mine = wire(render_book.delta_message(delta, "m-1", use_yes_price=True, own=True))
    assert (mine["price_dollars"], mine["client_order_id"], mine["subaccount"]) == (
        "0.4500",
        "c-1",
        2,
    )
