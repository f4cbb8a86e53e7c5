"""Events: what a command did, as immutable values.

The engine returns the events of each command in the order they happened. The same list
feeds the store's read models, the WebSocket fan-out and the tests, so every event carries
everything a consumer needs without looking back at engine state. Amounts follow the unit
convention of ``augury.domain.units``; prices are always on the YES scale.
"""

from __future__ import annotations

import msgspec

__all__ = [
    "ApiKeyUpdate",
    "BalanceUpdate",
    "BookDelta",
    "CashMovement",
    "Event",
    "ExchangeUpdate",
    "FillEvent",
    "MarketUpdate",
    "OrderGroupUpdate",
    "OrderUpdate",
    "PositionUpdate",
    "SettlementEvent",
    "TradeEvent",
    "UserUpdate",
]


# gc=False: events hold only scalars, so the cycle collector never needs to track them;
# millions of them per minute otherwise cost a quarter of the engine's time in GC passes.
# Not kw_only: the engine builds its most frequent events (OrderUpdate, FillEvent,
# TradeEvent, BookDelta, PositionUpdate, BalanceUpdate) with positional arguments, which
# msgspec takes about 9x faster than 28 keywords (0.29 against 2.7 µs for an OrderUpdate).
# Their field order is therefore part of the engine's code: tests/engine/test_events.py
# pins it, so adding or moving a field there fails until those constructors follow.
# array_like: the native engine returns events as MessagePack arrays ``[tag, field...]``
# (a third of the size of maps with field names), which msgspec decodes straight into
# these classes; nothing else serialises events with msgspec.
class _Evt(msgspec.Struct, frozen=True, tag=True, gc=False, array_like=True):
    ts_ns: int


class OrderUpdate(_Evt, frozen=True):
    """The full public state of an order after it changed; ``reason`` says why."""

    order_id: str
    user_id: str
    subaccount: int
    ticker: str
    side: str  # "bid" | "ask"
    price_cc: int
    initial_c: int
    fill_c: int
    remaining_c: int
    status: str
    reason: str
    time_in_force: str
    order_type: str
    legacy_side: str
    legacy_action: str
    client_order_id: str
    order_group_id: str | None
    self_trade_prevention: str
    post_only: bool
    cancel_order_on_pause: bool
    expiration_ts_ns: int | None
    created_ns: int
    taker_fill_cost_cc: int
    maker_fill_cost_cc: int
    taker_fees_cc: int
    maker_fees_cc: int
    queue_seq: int


class FillEvent(_Evt, frozen=True):
    """One side of a trade, as the account that traded sees it."""

    fill_id: str
    trade_id: str
    order_id: str
    user_id: str
    subaccount: int
    ticker: str
    side: str  # book side of this order
    legacy_side: str
    legacy_action: str
    price_cc: int  # YES price
    count_c: int
    is_taker: bool
    fee_cc: int
    post_position_c: int
    client_order_id: str


class TradeEvent(_Evt, frozen=True):
    trade_id: str
    ticker: str
    price_cc: int
    count_c: int
    taker_side: str  # book side of the taker


class BookDelta(_Evt, frozen=True):
    """A change of resting size at one level; ``side`` "bid" rests YES bids, "ask" NO bids
    (priced here on the YES scale). ``seq`` counts deltas per market from 1."""

    ticker: str
    seq: int
    side: str
    price_cc: int
    delta_c: int
    user_id: str
    subaccount: int
    client_order_id: str


class PositionUpdate(_Evt, frozen=True):
    user_id: str
    subaccount: int
    ticker: str
    position_c: int
    exposure_cc: int
    realized_pnl_cc: int
    fees_paid_cc: int
    total_traded_cc: int
    resting_orders: int
    settled: bool
    traded_c: int  # contracts the account has traded in this market, buys and sells


class BalanceUpdate(_Evt, frozen=True):
    user_id: str
    subaccount: int
    available_cc: int
    reserved_cc: int


class CashMovement(_Evt, frozen=True):
    """Deposits, withdrawals and subaccount transfers."""

    kind: str  # "deposit" | "withdrawal" | "transfer"
    user_id: str
    subaccount: int
    amount_cc: int
    to_subaccount: int | None = None
    transfer_id: str | None = None


class MarketUpdate(_Evt, frozen=True):
    """A market was created or changed lifecycle state."""

    ticker: str
    kind: str  # created | activated | deactivated | closed | determined | settled
    status: str
    result: str
    settlement_value_cc: int | None


class SettlementEvent(_Evt, frozen=True):
    user_id: str
    subaccount: int
    ticker: str
    result: str
    yes_c: int
    no_c: int
    yes_cost_cc: int
    no_cost_cc: int
    revenue_cc: int
    fee_cost_cc: int
    value_cc: int | None


class OrderGroupUpdate(_Evt, frozen=True):
    group_id: str
    user_id: str
    subaccount: int
    kind: str  # created | triggered | reset | deleted | limit_updated
    contracts_limit_c: int | None


class ApiKeyUpdate(_Evt, frozen=True):
    """An API key was registered (``active``) or revoked."""

    api_key_id: str
    user_id: str
    active: bool


class UserUpdate(_Evt, frozen=True):
    user_id: str
    name: str
    tier: str


class ExchangeUpdate(_Evt, frozen=True):
    trading_active: bool


Event = (
    OrderUpdate
    | FillEvent
    | TradeEvent
    | BookDelta
    | PositionUpdate
    | BalanceUpdate
    | CashMovement
    | MarketUpdate
    | SettlementEvent
    | OrderGroupUpdate
    | ExchangeUpdate
    | ApiKeyUpdate
    | UserUpdate
)
