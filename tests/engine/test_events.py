"""The engine's most frequent events are built positionally, so their field order is code.

The engine builds OrderUpdate, FillEvent, TradeEvent, BookDelta, PositionUpdate and
BalanceUpdate with positional arguments (about 9x faster than keywords for msgspec). The
guard is one trade whose fields are all told apart by value (maker and taker fees differ,
costs differ, both client ids differ), every event compared whole, by field name, with
values computed by hand from the contract: a swapped pair of same-typed arguments fails,
and so does a field added to an event without the test learning its value.
"""

from __future__ import annotations

from typing import Any

import msgspec

from augury.engine import commands as c
from augury.engine.events import (
    BalanceUpdate,
    BookDelta,
    FillEvent,
    OrderUpdate,
    PositionUpdate,
    TradeEvent,
)
from augury.engine.exchange import Exchange
from tests.engine.market_setup import one_market
from tests.engine.native_engine import new_exchange


def _one_trade() -> tuple[Exchange, list[Any]]:
    ex = new_exchange("augury")
    setup = one_market({"ann": 1_000_000, "bob": 2_000_000}, fee_type="quadratic_with_maker_fees")
    for command in setup:
        assert ex.apply(command, 5).reject is None
    rested = ex.apply(
        c.PlaceOrder(
            user_id="ann",
            ticker="M",
            side="bid",
            price_cc=4_000,
            count_c=700,
            time_in_force="good_till_canceled",
            client_order_id="ann-1",
            legacy_side="yes",
            legacy_action="buy",
        ),
        10,
    )
    assert rested.reject is None
    taken = ex.apply(
        c.PlaceOrder(
            user_id="bob",
            ticker="M",
            side="ask",
            price_cc=3_500,
            count_c=300,
            time_in_force="immediate_or_cancel",
            client_order_id="bob-1",
        ),
        20,
    )
    assert taken.reject is None
    return ex, taken.events


def test_one_trade_sets_every_field_by_name() -> None:
    """Every event of one trade, compared whole and by name with hand-computed values.

    ann rests a YES bid of 7 at $0.40 (client id ann-1, legacy yes/buy); bob sells 3 into
    it at $0.35 immediate-or-cancel (bob-1), on a quadratic_with_maker_fees series. The
    trade is 3 at the maker's $0.40: ann buys 3 YES for $1.20, bob buys 3 NO at $0.60 for
    $1.80. Fees (CONTRACT §11.1, rounded up to $0.0001): taker 0.07 x 3 x 0.40 x 0.60 =
    $0.0504, maker a quarter of the rate, $0.0126. Balances move by whole cents, floored:
    bob -$1.8504 -> -$1.86; ann -$1.2126 -> -$1.22. ann's 4 still resting reserve their
    cost plus the worst-case (taker) fee, rounded up to the cent: 4 x $0.40 +
    0.07 x 4 x 0.24 = $1.6672 -> $1.67 (decision 0003).
    """
    _ex, events = _one_trade()
    by_type: dict[type, list[Any]] = {}
    for event in events:
        by_type.setdefault(type(event), []).append(msgspec.structs.asdict(event))
    assert set(by_type) == {
        TradeEvent, FillEvent, BookDelta, OrderUpdate, PositionUpdate, BalanceUpdate
    }  # fmt: skip
    orders = {o["user_id"]: o for o in by_type[OrderUpdate]}
    ann_order, bob_order = orders["ann"]["order_id"], orders["bob"]["order_id"]
    (trade,) = by_type[TradeEvent]
    fills = {f["user_id"]: f for f in by_type[FillEvent]}
    trade_id = trade["trade_id"]
    # Ids are the engine's to mint; they must only be distinct where they name different things.
    assert (
        len({ann_order, bob_order, trade_id, fills["ann"]["fill_id"], fills["bob"]["fill_id"]}) == 5
    )

    assert trade == {
        "ts_ns": 20, "trade_id": trade_id, "ticker": "M", "price_cc": 4_000, "count_c": 300,
        "taker_side": "ask",
    }  # fmt: skip
    assert fills["bob"] == {
        "ts_ns": 20, "fill_id": fills["bob"]["fill_id"], "trade_id": trade_id,
        "order_id": bob_order, "user_id": "bob", "subaccount": 0, "ticker": "M", "side": "ask",
        "legacy_side": "yes", "legacy_action": "sell", "price_cc": 4_000, "count_c": 300,
        "is_taker": True, "fee_cc": 504, "post_position_c": -300, "client_order_id": "bob-1",
    }  # fmt: skip
    assert fills["ann"] == {
        "ts_ns": 20, "fill_id": fills["ann"]["fill_id"], "trade_id": trade_id,
        "order_id": ann_order, "user_id": "ann", "subaccount": 0, "ticker": "M", "side": "bid",
        "legacy_side": "yes", "legacy_action": "buy", "price_cc": 4_000, "count_c": 300,
        "is_taker": False, "fee_cc": 126, "post_position_c": 300, "client_order_id": "ann-1",
    }  # fmt: skip
    # The resting bid's level loses 3 contracts (the market's second book change).
    assert by_type[BookDelta] == [{
        "ts_ns": 20, "ticker": "M", "seq": 2, "side": "bid", "price_cc": 4_000,
        "delta_c": -300, "user_id": "ann", "subaccount": 0, "client_order_id": "ann-1",
    }]  # fmt: skip
    assert orders["ann"] == {
        "ts_ns": 20, "order_id": ann_order, "user_id": "ann", "subaccount": 0, "ticker": "M",
        "side": "bid", "price_cc": 4_000, "initial_c": 700, "fill_c": 300, "remaining_c": 400,
        "status": "resting", "reason": "filled", "time_in_force": "good_till_canceled",
        "order_type": "limit", "legacy_side": "yes", "legacy_action": "buy",
        "client_order_id": "ann-1", "order_group_id": None,
        "self_trade_prevention": "taker_at_cross", "post_only": False,
        "cancel_order_on_pause": False, "expiration_ts_ns": None, "created_ns": 10,
        "taker_fill_cost_cc": 0, "maker_fill_cost_cc": 12_000, "taker_fees_cc": 0,
        "maker_fees_cc": 126, "queue_seq": 1,
    }  # fmt: skip
    assert orders["bob"] == {
        "ts_ns": 20, "order_id": bob_order, "user_id": "bob", "subaccount": 0, "ticker": "M",
        "side": "ask", "price_cc": 3_500, "initial_c": 300, "fill_c": 300, "remaining_c": 0,
        "status": "executed", "reason": "executed", "time_in_force": "immediate_or_cancel",
        "order_type": "limit", "legacy_side": "yes", "legacy_action": "sell",
        "client_order_id": "bob-1", "order_group_id": None,
        "self_trade_prevention": "taker_at_cross", "post_only": False,
        "cancel_order_on_pause": False, "expiration_ts_ns": None, "created_ns": 20,
        "taker_fill_cost_cc": 18_000, "maker_fill_cost_cc": 0, "taker_fees_cc": 504,
        "maker_fees_cc": 0, "queue_seq": 0,
    }  # fmt: skip
    positions = {p["user_id"]: p for p in by_type[PositionUpdate]}
    assert positions["ann"] == {
        "ts_ns": 20, "user_id": "ann", "subaccount": 0, "ticker": "M", "position_c": 300,
        "exposure_cc": 12_000, "realized_pnl_cc": 0, "fees_paid_cc": 126,
        "total_traded_cc": 12_000, "resting_orders": 1, "settled": False, "traded_c": 300,
    }  # fmt: skip
    assert positions["bob"] == {
        "ts_ns": 20, "user_id": "bob", "subaccount": 0, "ticker": "M", "position_c": -300,
        "exposure_cc": 18_000, "realized_pnl_cc": 0, "fees_paid_cc": 504,
        "total_traded_cc": 18_000, "resting_orders": 0, "settled": False, "traded_c": 300,
    }  # fmt: skip
    balances = {b["user_id"]: b for b in by_type[BalanceUpdate]}
    assert balances["bob"] == {
        "ts_ns": 20, "user_id": "bob", "subaccount": 0,
        "available_cc": 2_000_000 - 18_600, "reserved_cc": 0,
    }  # fmt: skip
    assert balances["ann"] == {
        "ts_ns": 20, "user_id": "ann", "subaccount": 0,
        "available_cc": 1_000_000 - 12_200 - 16_700, "reserved_cc": 16_700,
    }  # fmt: skip
