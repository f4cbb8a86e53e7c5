"""Wire shapes of the WebSocket data messages (the ``msg`` object of each message type).

Field names, presence and JSON types follow the AsyncAPI spec of 2026-08-22 plus the
later additions CONTRACT §8.9 lists: fixed-point values are strings (``"0.5600"``,
``"10.00"``), ``ts`` is integer seconds except on ``orderbook_delta`` where it is an RFC
3339 string (deprecated), ``ts_ms`` is integer milliseconds. Optional keys default to
``None`` and are then left out (``omit_defaults``), so a snapshot omits an empty side and a
delta carries ``client_order_id`` only when one is set. The envelope (``type``, ``sid``,
``seq``) is added per subscription by ``augury.api.ws.connection.frame``.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "AdditionalMetadata",
    "BookDeltaMsg",
    "BookSnapshotMsg",
    "EventFeeUpdateMsg",
    "EventLifecycleMsg",
    "FillMsg",
    "MarketLifecycleMsg",
    "MarketPositionMsg",
    "OrderGroupMsg",
    "PriceRange",
    "TickerMsg",
    "TradeMsg",
    "UserOrderMsg",
]

Level = tuple[str, str]


class _Msg(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class BookSnapshotMsg(_Msg, kw_only=True):
    market_ticker: str
    market_id: str
    yes_dollars_fp: list[Level] | None = None
    no_dollars_fp: list[Level] | None = None


class BookDeltaMsg(_Msg, kw_only=True):
    market_ticker: str
    market_id: str
    price_dollars: str
    delta_fp: str
    side: str
    client_order_id: str | None = None
    subaccount: int | None = None
    ts: str | None = None
    ts_ms: int | None = None


class TickerMsg(_Msg, kw_only=True):
    market_ticker: str
    market_id: str
    price_dollars: str
    yes_bid_dollars: str
    yes_ask_dollars: str
    yes_bid_size_fp: str
    yes_ask_size_fp: str
    last_trade_size_fp: str
    volume_fp: str
    open_interest_fp: str
    dollar_volume: int
    dollar_open_interest: int
    ts: int
    ts_ms: int
    time: str


class TradeMsg(_Msg, kw_only=True):
    trade_id: str
    market_ticker: str
    yes_price_dollars: str
    no_price_dollars: str
    count_fp: str
    taker_side: str
    taker_outcome_side: str
    taker_book_side: str
    is_block_trade: bool
    ts: int
    ts_ms: int
    # --compat tutorials only (whole contracts): not a Kalshi field.
    count: int | None = None


class FillMsg(_Msg, kw_only=True):
    trade_id: str
    order_id: str
    market_ticker: str
    exchange_index: int
    is_taker: bool
    side: str
    action: str
    yes_price_dollars: str
    count_fp: str
    fee_cost: str
    outcome_side: str
    book_side: str
    purchased_side: str
    post_position_fp: str
    ts: int
    ts_ms: int
    client_order_id: str | None = None
    subaccount: int | None = None


class MarketPositionMsg(_Msg, kw_only=True):
    user_id: str
    market_ticker: str
    position_fp: str
    position_cost_dollars: str
    realized_pnl_dollars: str
    fees_paid_dollars: str
    position_fee_cost_dollars: str
    volume_fp: str
    subaccount: int | None = None


class UserOrderMsg(_Msg, kw_only=True):
    order_id: str
    user_id: str
    ticker: str
    status: str
    side: str
    is_yes: bool
    outcome_side: str
    book_side: str
    yes_price_dollars: str
    fill_count_fp: str
    remaining_count_fp: str
    initial_count_fp: str
    taker_fill_cost_dollars: str
    maker_fill_cost_dollars: str
    taker_fees_dollars: str
    maker_fees_dollars: str
    client_order_id: str
    exchange_index: int
    created_time: str
    created_ts_ms: int
    last_update_time: str
    last_updated_ts_ms: int
    subaccount_number: int
    order_group_id: str | None = None
    self_trade_prevention_type: str | None = None
    expiration_time: str | None = None
    expiration_ts_ms: int | None = None


class OrderGroupMsg(_Msg, kw_only=True):
    event_type: str
    order_group_id: str
    ts_ms: int
    contracts_limit_fp: str | None = None


class PriceRange(_Msg, kw_only=True):
    start: str
    end: str
    step: str


class AdditionalMetadata(_Msg, kw_only=True):
    name: str
    title: str
    yes_sub_title: str
    no_sub_title: str
    rules_primary: str
    rules_secondary: str
    can_close_early: bool
    event_ticker: str
    expected_expiration_ts: int
    strike_type: str | None = None
    floor_strike: float | int | None = None
    cap_strike: float | int | None = None
    custom_strike: dict[str, Any] | None = None


class MarketLifecycleMsg(_Msg, kw_only=True):
    event_type: str
    market_ticker: str
    exchange_index: int | None = None
    open_ts: int | None = None
    close_ts: int | None = None
    result: str | None = None
    determination_ts: int | None = None
    settlement_value: str | None = None
    settled_ts: int | None = None
    is_deactivated: bool | None = None
    price_level_structure: str | None = None
    price_ranges: list[PriceRange] | None = None
    additional_metadata: AdditionalMetadata | None = None


class EventFeeUpdateMsg(msgspec.Struct, kw_only=True):
    """``event_fee_update``: both override fields always present, null once cleared."""

    event_ticker: str
    fee_type_override: str | None
    # A dimensionless multiplier (the spec's JSON number), never money.
    fee_multiplier_override: float | None


class EventLifecycleMsg(_Msg, kw_only=True):
    event_ticker: str
    exchange_index: int
    title: str
    subtitle: str
    collateral_return_type: str
    series_ticker: str
    strike_date: int | None = None
    strike_period: str | None = None
