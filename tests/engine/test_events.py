"""The engine's most frequent events are built positionally, so their field order is code.

``engine/emit.py`` (OrderUpdate, BookDelta, PositionUpdate, BalanceUpdate) and
``engine/placement.py`` (FillEvent, TradeEvent) build events with positional arguments
(about 9x faster than keywords for msgspec). Two guards: the field order is pinned here,
so adding or moving a field fails until those constructors follow; and one trade whose
fields are all told apart by value (maker and taker fees differ, costs differ, both
client ids differ) is checked field by field, by name, so a swapped pair of same-typed
arguments fails too.
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

POSITIONAL_FIELDS: dict[type[msgspec.Struct], tuple[str, ...]] = {
    OrderUpdate: (
        "ts_ns", "order_id", "user_id", "subaccount", "ticker", "side", "price_cc",
        "initial_c", "fill_c", "remaining_c", "status", "reason", "time_in_force",
        "order_type", "legacy_side", "legacy_action", "client_order_id", "order_group_id",
        "self_trade_prevention", "post_only", "cancel_order_on_pause", "expiration_ts_ns",
        "created_ns", "taker_fill_cost_cc", "maker_fill_cost_cc", "taker_fees_cc",
        "maker_fees_cc", "queue_seq",
    ),
    FillEvent: (
        "ts_ns", "fill_id", "trade_id", "order_id", "user_id", "subaccount", "ticker", "side",
        "legacy_side", "legacy_action", "price_cc", "count_c", "is_taker", "fee_cc",
        "post_position_c", "client_order_id",
    ),
    TradeEvent: ("ts_ns", "trade_id", "ticker", "price_cc", "count_c", "taker_side"),
    BookDelta: (
        "ts_ns", "ticker", "seq", "side", "price_cc", "delta_c", "user_id", "subaccount",
        "client_order_id",
    ),
    PositionUpdate: (
        "ts_ns", "user_id", "subaccount", "ticker", "position_c", "exposure_cc",
        "realized_pnl_cc", "fees_paid_cc", "total_traded_cc", "resting_orders", "settled",
        "traded_c",
    ),
    BalanceUpdate: ("ts_ns", "user_id", "subaccount", "available_cc", "reserved_cc"),
}  # fmt: skip


def test_field_order_of_the_positionally_built_events_is_pinned() -> None:
    for cls, fields in POSITIONAL_FIELDS.items():
        assert cls.__struct_fields__ == fields, (
            f"{cls.__name__}'s fields changed: update its positional constructor in "
            "engine/emit.py or engine/placement.py, then this list"
        )


def _one_trade() -> tuple[Exchange, list[Any]]:
    ex = Exchange("augury")
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
    ex, events = _one_trade()
    by_type: dict[type, list[Any]] = {}
    for event in events:
        by_type.setdefault(type(event), []).append(event)

    (trade,) = by_type[TradeEvent]
    assert (trade.ts_ns, trade.ticker, trade.price_cc, trade.count_c, trade.taker_side) == (
        20, "M", 4_000, 300, "ask",
    )  # fmt: skip
    fills = {f.user_id: f for f in by_type[FillEvent]}
    ann, bob = fills["ann"], fills["bob"]
    assert ann.trade_id == bob.trade_id == trade.trade_id != ann.fill_id != bob.fill_id
    assert (bob.is_taker, bob.side, bob.client_order_id, bob.post_position_c) == (
        True, "ask", "bob-1", -300,
    )  # fmt: skip
    assert (ann.is_taker, ann.side, ann.client_order_id, ann.post_position_c) == (
        False, "bid", "ann-1", 300,
    )  # fmt: skip
    assert (ann.legacy_side, ann.legacy_action) == ("yes", "buy")
    assert all((f.ts_ns, f.ticker, f.price_cc, f.count_c, f.subaccount) == (20, "M", 4_000, 300, 0)
               for f in (ann, bob))  # fmt: skip
    # quadratic_with_maker_fees: the maker pays a quarter of the taker's rate.
    assert bob.fee_cc > ann.fee_cc > 0

    (delta,) = by_type[BookDelta]
    assert msgspec.structs.asdict(delta) == {
        "ts_ns": 20, "ticker": "M", "seq": 2, "side": "bid", "price_cc": 4_000,
        "delta_c": -300, "user_id": "ann", "subaccount": 0, "client_order_id": "ann-1",
    }  # fmt: skip

    orders = {o.user_id: o for o in by_type[OrderUpdate]}
    maker, taker = orders["ann"], orders["bob"]
    assert (maker.status, maker.reason, maker.fill_c, maker.remaining_c, maker.initial_c) == (
        "resting", "filled", 300, 400, 700,
    )  # fmt: skip
    assert (maker.maker_fill_cost_cc, maker.taker_fill_cost_cc) == (12_000, 0)
    assert (maker.maker_fees_cc, maker.taker_fees_cc) == (ann.fee_cc, 0)
    assert (maker.created_ns, maker.ts_ns, maker.queue_seq) == (10, 20, 1)
    assert (maker.legacy_side, maker.legacy_action, maker.order_type) == ("yes", "buy", "limit")
    assert (taker.status, taker.fill_c, taker.remaining_c, taker.price_cc) == (
        "executed", 300, 0, 3_500,
    )  # fmt: skip
    assert (taker.taker_fill_cost_cc, taker.maker_fill_cost_cc) == (18_000, 0)
    assert (taker.taker_fees_cc, taker.maker_fees_cc) == (bob.fee_cc, 0)
    assert (taker.time_in_force, taker.self_trade_prevention) == (
        "immediate_or_cancel", "taker_at_cross",
    )  # fmt: skip
    assert (taker.post_only, taker.cancel_order_on_pause, taker.expiration_ts_ns) == (
        False, False, None,
    )  # fmt: skip
    assert (taker.order_group_id, taker.client_order_id, taker.ticker) == (None, "bob-1", "M")

    positions = {p.user_id: p for p in by_type[PositionUpdate]}
    assert msgspec.structs.asdict(positions["ann"]) == {
        "ts_ns": 20, "user_id": "ann", "subaccount": 0, "ticker": "M", "position_c": 300,
        "exposure_cc": 12_000, "realized_pnl_cc": 0, "fees_paid_cc": ann.fee_cc,
        "total_traded_cc": 12_000, "resting_orders": 1, "settled": False, "traded_c": 300,
    }  # fmt: skip
    assert (positions["bob"].position_c, positions["bob"].exposure_cc) == (-300, 18_000)
    assert (positions["bob"].resting_orders, positions["bob"].traded_c) == (0, 300)

    balances = {b.user_id: b for b in by_type[BalanceUpdate]}
    for user in ("ann", "bob"):
        account = ex.ledger.accounts[(user, 0)]
        assert (balances[user].available_cc, balances[user].reserved_cc) == (
            account.available_cc,
            account.reserved_cc,
        )
        assert balances[user].ts_ns == 20
    assert balances["bob"].reserved_cc == 0 < balances["ann"].reserved_cc
