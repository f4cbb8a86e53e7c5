"""Fills, positions, settlements, balances and money movements (CONTRACT §4.4, §4.5).

Units on this part of the wire are mixed, and the SDK checks JSON types strictly:

- dollar strings: ``*_dollars``, ``fee_cost``, ``IndexedBalance.balance``;
- count strings: ``*_fp``;
- **integer cents**: ``GetBalanceResponse.balance`` and ``portfolio_value``,
  ``Settlement.revenue`` and ``value``, ``total_resting_order_value``, deposit and
  withdrawal ``amount_cents``/``fee_cents``;
- integer Unix seconds: ``updated_ts``, ``Fill.ts``, deposit ``created_ts``;
- RFC 3339 strings: ``created_time``, ``settled_time``, ``last_updated_ts``.

``Fill``, ``MarketPosition`` and ``Settlement`` require ``exchange_index`` since 3.34
(a single-engine exchange reports 0). ``position_fp`` is signed: positive YES, negative NO.

Legacy courtesy fields: until April 2026 fills carried integer ``count``, ``yes_price``,
``no_price``; positions integer ``position``, ``total_traded``, ``market_exposure``,
``realized_pnl``, ``fees_paid``, ``resting_orders_count`` (event positions
``total_cost``, ``total_cost_shares``, ``event_exposure``…); settlements integer
``yes_count``, ``no_count``, ``yes_total_cost``, ``no_total_cost``. They are optional
ints (cents or whole contracts), omitted when ``None``.
"""

from augury.api.schemas.base import WireResponse
from augury.api.schemas.enums import (
    Action,
    BookSide,
    MoneyMovementStatus,
    MoneyMovementType,
    OutcomeSide,
    SettlementResult,
)

__all__ = [
    "Deposit",
    "EventPosition",
    "Fill",
    "GetBalanceResponse",
    "GetDepositsResponse",
    "GetFillsResponse",
    "GetPortfolioRestingOrderTotalValueResponse",
    "GetPositionsResponse",
    "GetSettlementsResponse",
    "GetWithdrawalsResponse",
    "IndexedBalance",
    "MarketPosition",
    "Settlement",
    "Withdrawal",
]


class Fill(WireResponse, kw_only=True):
    fill_id: str
    exchange_index: int
    trade_id: str
    order_id: str
    ticker: str
    market_ticker: str
    side: OutcomeSide | None = None
    action: Action | None = None
    outcome_side: OutcomeSide
    book_side: BookSide
    count_fp: str
    yes_price_dollars: str
    no_price_dollars: str
    is_taker: bool
    created_time: str | None = None
    fee_cost: str
    subaccount_number: int | None = None
    ts: int | None = None
    # Legacy courtesy fields (whole contracts / integer cents).
    count: int | None = None
    yes_price: int | None = None
    no_price: int | None = None
    # --compat tutorials only (docs/compat-tutorials.md): not a Kalshi field.
    fee: int | None = None


class GetFillsResponse(WireResponse, kw_only=True):
    fills: list[Fill]
    # Required string: "" on the last page, never null.
    cursor: str


class MarketPosition(WireResponse, kw_only=True):
    ticker: str
    exchange_index: int
    total_traded_dollars: str
    position_fp: str
    market_exposure_dollars: str
    realized_pnl_dollars: str
    fees_paid_dollars: str
    last_updated_ts: str
    # Legacy courtesy fields (whole contracts / integer cents).
    position: int | None = None
    total_traded: int | None = None
    market_exposure: int | None = None
    realized_pnl: int | None = None
    fees_paid: int | None = None
    resting_orders_count: int | None = None


class EventPosition(WireResponse, kw_only=True):
    event_ticker: str
    total_cost_dollars: str
    total_cost_shares_fp: str
    event_exposure_dollars: str
    realized_pnl_dollars: str
    fees_paid_dollars: str
    # Legacy courtesy fields (integer cents / whole contracts).
    total_cost: int | None = None
    total_cost_shares: int | None = None
    event_exposure: int | None = None
    realized_pnl: int | None = None
    fees_paid: int | None = None


class GetPositionsResponse(WireResponse, kw_only=True):
    cursor: str | None = None
    market_positions: list[MarketPosition]
    event_positions: list[EventPosition]


class Settlement(WireResponse, kw_only=True):
    ticker: str
    exchange_index: int
    event_ticker: str
    market_result: SettlementResult
    yes_count_fp: str
    yes_total_cost_dollars: str
    no_count_fp: str
    no_total_cost_dollars: str
    revenue: int
    settled_time: str
    fee_cost: str
    value: int | None = None
    # Legacy courtesy fields (whole contracts / integer cents).
    yes_count: int | None = None
    no_count: int | None = None
    yes_total_cost: int | None = None
    no_total_cost: int | None = None


class GetSettlementsResponse(WireResponse, kw_only=True):
    settlements: list[Settlement]
    cursor: str | None = None


class IndexedBalance(WireResponse, kw_only=True):
    exchange_index: int
    balance: str


class GetBalanceResponse(WireResponse, kw_only=True):
    balance: int
    balance_dollars: str
    portfolio_value: int
    updated_ts: int
    balance_breakdown: list[IndexedBalance] | None = None


class GetPortfolioRestingOrderTotalValueResponse(WireResponse, kw_only=True):
    total_resting_order_value: int
    resting_order_value_breakdown: list[IndexedBalance]


class Deposit(WireResponse, kw_only=True):
    id: str
    status: MoneyMovementStatus
    type: MoneyMovementType
    amount_cents: int
    fee_cents: int
    created_ts: int
    finalized_ts: int | None = None


class GetDepositsResponse(WireResponse, kw_only=True):
    deposits: list[Deposit]
    cursor: str | None = None


class Withdrawal(WireResponse, kw_only=True):
    id: str
    status: MoneyMovementStatus
    type: MoneyMovementType
    amount_cents: int
    fee_cents: int
    created_ts: int
    finalized_ts: int | None = None


class GetWithdrawalsResponse(WireResponse, kw_only=True):
    withdrawals: list[Withdrawal]
    cursor: str | None = None
