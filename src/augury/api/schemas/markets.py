"""Markets and public trades (CONTRACT §4.1, §4.4, §7).

``Market`` follows SDK 3.34.0 field by field: prices are ``*_dollars`` strings with four
decimals, sizes ``*_fp`` strings with two. ``settlement_bounds_type`` is required since
3.34, and ``result`` is ``""`` until the market is determined (so it has no default, or
``omit_defaults`` would drop it).

Legacy courtesy fields. Until January 2026 Kalshi also sent integer-cent prices
(``yes_bid``, ``last_price``…), whole-contract integers (``volume``,
``open_interest``…) and ``response_price_units = "usd_cent"``; until April 2026 trades
carried integer ``count``/``yes_price``/``no_price``. Clients written against those
shapes still read them, and every SDK ignores unknown keys, so the integer twins are
declared here as optional ints. Fill them with ``base.legacy_cents`` /
``base.legacy_contracts`` or leave them ``None`` to omit them. They are never floats.
"""

from typing import Any

from augury.api.schemas.base import WireResponse
from augury.api.schemas.enums import (
    BookSide,
    MarketResult,
    MarketStatus,
    MarketType,
    OutcomeSide,
    PriceUnits,
    SettlementBoundsType,
    StrikeType,
)

__all__ = [
    "GetMarketResponse",
    "GetMarketsResponse",
    "GetTradesResponse",
    "Market",
    "MveSelectedLeg",
    "PriceRange",
    "Trade",
]


class PriceRange(WireResponse, kw_only=True):
    start: str
    end: str
    step: str


class MveSelectedLeg(WireResponse, kw_only=True):
    event_ticker: str | None = None
    market_ticker: str | None = None
    side: str | None = None
    yes_settlement_value_dollars: str | None = None


class Market(WireResponse, kw_only=True):
    ticker: str
    event_ticker: str
    market_type: MarketType
    title: str | None = None
    subtitle: str | None = None
    yes_sub_title: str
    no_sub_title: str
    created_time: str
    updated_time: str
    open_time: str
    close_time: str
    expected_expiration_time: str | None = None
    expiration_time: str | None = None
    latest_expiration_time: str
    settlement_timer_seconds: int
    status: MarketStatus
    yes_bid_dollars: str
    yes_bid_size_fp: str
    yes_ask_dollars: str
    yes_ask_size_fp: str
    no_bid_dollars: str
    no_ask_dollars: str
    last_price_dollars: str
    volume_fp: str
    volume_24h_fp: str
    result: MarketResult
    can_close_early: bool
    open_interest_fp: str
    notional_value_dollars: str
    previous_yes_bid_dollars: str
    previous_yes_ask_dollars: str
    previous_price_dollars: str
    settlement_value_dollars: str | None = None
    settlement_ts: str | None = None
    settlement_bounds_type: SettlementBoundsType
    settlement_floor_dollars: str | None = None
    expiration_value: str
    occurrence_datetime: str | None = None
    fee_waiver_expiration_time: str | None = None
    early_close_condition: str | None = None
    strike_type: StrikeType | None = None
    # Strikes are measured values of the underlying (not money), and the SDK types them
    # as JSON numbers.
    floor_strike: float | None = None
    cap_strike: float | None = None
    functional_strike: str | None = None
    custom_strike: dict[str, Any] | None = None
    rules_primary: str
    rules_secondary: str
    mve_collection_ticker: str | None = None
    mve_selected_legs: list[MveSelectedLeg] | None = None
    primary_participant_key: str | None = None
    price_level_structure: str
    price_ranges: list[PriceRange]
    is_provisional: bool | None = None
    exchange_index: int | None = None
    # Sent by live Kalshi though absent from SDK 3.34: fractional trading (retired from the
    # published OpenAPI in mid 2026) and the deprecated, always "0.0000", liquidity.
    fractional_trading_enabled: bool | None = None
    liquidity_dollars: str | None = None
    # Legacy courtesy fields (integer cents / whole contracts), see the module docstring.
    response_price_units: PriceUnits | None = None
    yes_bid: int | None = None
    yes_ask: int | None = None
    no_bid: int | None = None
    no_ask: int | None = None
    last_price: int | None = None
    previous_yes_bid: int | None = None
    previous_yes_ask: int | None = None
    previous_price: int | None = None
    notional_value: int | None = None
    volume: int | None = None
    volume_24h: int | None = None
    open_interest: int | None = None
    liquidity: int | None = None


class GetMarketsResponse(WireResponse, kw_only=True):
    markets: list[Market]
    # Required string: "" on the last page, never null.
    cursor: str


class GetMarketResponse(WireResponse, kw_only=True):
    market: Market


class Trade(WireResponse, kw_only=True):
    trade_id: str
    ticker: str
    count_fp: str
    yes_price_dollars: str
    no_price_dollars: str
    taker_side: OutcomeSide | None = None
    taker_outcome_side: OutcomeSide
    taker_book_side: BookSide
    created_time: str
    is_block_trade: bool
    # Legacy courtesy fields (whole contracts / integer cents).
    count: int | None = None
    yes_price: int | None = None
    no_price: int | None = None


class GetTradesResponse(WireResponse, kw_only=True):
    trades: list[Trade]
    cursor: str
