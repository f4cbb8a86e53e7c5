"""Fills and trades on the wire (CONTRACT §4.4, §8.5 fill and trade): by hand."""

from __future__ import annotations

from augury.api.render import fill as render_fill
from augury.api.render import trade as render_trade
from augury.engine.events import FillEvent, TradeEvent
from augury.queries.views import FillRecord, TradeRecord
from tests.api.render.samples import T0, T0_MS, T0_S, T0_TEXT, wire

# bob sold 3 YES at $0.60 into a resting bid (he bought NO at $0.40): taker, fee $0.06.
FILL = FillEvent(
    ts_ns=T0,
    fill_id="f-1",
    trade_id="t-1",
    order_id="o-9",
    user_id="bob",
    subaccount=0,
    ticker="KX-A",
    side="ask",
    legacy_side="yes",
    legacy_action="sell",
    price_cc=6_000,
    count_c=300,
    is_taker=True,
    fee_cc=600,
    post_position_c=-300,
    client_order_id="",
)


def test_fill_of_a_no_buyer() -> None:
    body = wire(render_fill.fill(FILL))
    assert body["outcome_side"] == "no"
    assert body["book_side"] == "ask"
    assert (body["side"], body["action"]) == ("yes", "sell")
    assert (body["yes_price_dollars"], body["no_price_dollars"]) == ("0.6000", "0.4000")
    assert (body["yes_price"], body["no_price"]) == (60, 40)
    assert (body["count_fp"], body["count"]) == ("3.00", 3)
    assert body["fee_cost"] == "0.0600"
    assert body["is_taker"] is True
    assert body["created_time"] == T0_TEXT
    assert body["ts"] == T0_S
    assert body["ticker"] == body["market_ticker"] == "KX-A"
    assert (body["exchange_index"], body["subaccount_number"]) == (0, 0)


def test_a_stored_fill_renders_as_the_live_one() -> None:
    row = FillRecord(
        fill_id="f-1",
        trade_id="t-1",
        order_id="o-9",
        user_id="bob",
        subaccount=0,
        ticker="KX-A",
        side="ask",
        legacy_side="yes",
        legacy_action="sell",
        price_cc=6_000,
        count_c=300,
        is_taker=True,
        fee_cc=600,
        post_position_c=-300,
        client_order_id="",
        ts_ns=T0,
        seq=12,
    )
    assert wire(render_fill.fill(row)) == wire(render_fill.fill(FILL))


def test_fill_message() -> None:
    msg = wire(render_fill.fill_message(FILL))
    assert msg["post_position_fp"] == "-3.00"  # signed: NO held (§8.5)
    assert msg["purchased_side"] == msg["outcome_side"] == "no"
    assert msg["yes_price_dollars"] == "0.6000"
    assert (msg["ts"], msg["ts_ms"]) == (T0_S, T0_MS)
    assert "client_order_id" not in msg  # none given
    assert "subaccount" not in msg  # the primary account is not named
    with_ids = wire(render_fill.fill_message(FillEvent(**{
        **{f: getattr(FILL, f) for f in FILL.__struct_fields__},
        "client_order_id": "c-1",
        "subaccount": 2,
    })))  # fmt: skip
    assert (with_ids["client_order_id"], with_ids["subaccount"]) == ("c-1", 2)


def test_trades_report_the_takers_outcome() -> None:
    row = TradeRecord("t-1", "KX-A", 6_000, 300, "ask", T0, 12)
    body = wire(render_trade.trade(row))
    assert body["taker_outcome_side"] == body["taker_side"] == "no"
    assert body["taker_book_side"] == "ask"
    assert (body["yes_price_dollars"], body["no_price_dollars"]) == ("0.6000", "0.4000")
    assert body["is_block_trade"] is False
    assert body["created_time"] == T0_TEXT
    msg = wire(render_trade.trade_message(TradeEvent(T0, "t-1", "KX-A", 6_000, 300, "bid")))
    assert msg["taker_outcome_side"] == "yes"
    assert msg["count_fp"] == "3.00"
    assert (msg["ts"], msg["ts_ms"]) == (T0_S, T0_MS)
