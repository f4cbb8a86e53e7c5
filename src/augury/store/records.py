"""The rows ``HistoryReader`` returns: one frozen dataclass per history table.

Each dataclass is its table's row shape, declared once: ``tables.py`` derives the table's
columns from it and ``history_writer.py`` its column lists (``columns``). Field names are
the table's column names and amounts keep the engine's integer units
(``*_cc`` centi-cents, ``*_c`` centi-contracts, ``*_fine`` micro-dollars, ``*_ns``/``*_s``
times), so the API converts them to Kalshi's strings in one place.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from typing import Any

__all__ = [
    "Candle",
    "CashMovementRecord",
    "FillRecord",
    "MarketStats",
    "OrderRecord",
    "QuoteSnapshot",
    "SettlementRecord",
    "TradeRecord",
    "columns",
]


def columns(record: type[Any], without: Collection[str] = ()) -> list[str]:
    """Return a row shape's column names in field order, leaving out ``without``."""
    return [f.name for f in fields(record) if f.name not in without]


@dataclass(frozen=True, slots=True)
class OrderRecord:
    order_id: str
    user_id: str
    subaccount: int
    ticker: str
    event_ticker: str | None
    side: str
    price_cc: int
    initial_c: int
    fill_c: int
    remaining_c: int
    status: str
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
    updated_ns: int
    taker_fill_cost_cc: int
    maker_fill_cost_cc: int
    taker_fees_cc: int
    maker_fees_cc: int


@dataclass(frozen=True, slots=True)
class FillRecord:
    fill_id: str
    trade_id: str
    order_id: str
    user_id: str
    subaccount: int
    ticker: str
    side: str
    legacy_side: str
    legacy_action: str
    price_cc: int
    count_c: int
    is_taker: bool
    fee_cc: int
    post_position_c: int
    client_order_id: str
    ts_ns: int
    seq: int


@dataclass(frozen=True, slots=True)
class TradeRecord:
    trade_id: str
    ticker: str
    price_cc: int
    count_c: int
    taker_side: str
    ts_ns: int
    seq: int


@dataclass(frozen=True, slots=True)
class SettlementRecord:
    user_id: str
    subaccount: int
    ticker: str
    event_ticker: str | None
    result: str
    yes_c: int
    no_c: int
    yes_cost_cc: int
    no_cost_cc: int
    revenue_cc: int
    fee_cost_cc: int
    value_cc: int | None
    ts_ns: int
    seq: int


@dataclass(frozen=True, slots=True)
class CashMovementRecord:
    id: int
    kind: str
    user_id: str
    subaccount: int
    amount_cc: int
    to_subaccount: int | None
    transfer_id: str | None
    ts_ns: int
    seq: int


@dataclass(frozen=True, slots=True)
class Candle:
    """One candle; see ``augury.store.candles`` for what each field means."""

    ticker: str
    period_min: int
    end_ts_s: int
    yes_bid_open_cc: int
    yes_bid_high_cc: int
    yes_bid_low_cc: int
    yes_bid_close_cc: int
    yes_ask_open_cc: int
    yes_ask_high_cc: int
    yes_ask_low_cc: int
    yes_ask_close_cc: int
    price_open_cc: int | None
    price_high_cc: int | None
    price_low_cc: int | None
    price_close_cc: int | None
    price_previous_cc: int | None
    price_volume_fine: int
    volume_c: int
    open_interest_c: int

    @property
    def mean_price_cc(self) -> int | None:
        """The volume-weighted mean trade price, floored to the centi-cent (None without
        trades): readers need not handle the micro-dollar sum behind it."""
        if self.price_close_cc is None or not self.volume_c:
            return None
        return self.price_volume_fine // self.volume_c


@dataclass(frozen=True, slots=True)
class MarketStats:
    ticker: str
    volume_c: int
    open_interest_c: int
    last_price_cc: int | None
    last_trade_ns: int | None
    yes_bid_cc: int
    yes_ask_cc: int
    updated_ns: int
    seq: int


@dataclass(frozen=True, slots=True)
class QuoteSnapshot:
    """A market's last price and quotes as of some time (e.g. a day ago)."""

    last_price_cc: int | None
    yes_bid_cc: int
    yes_ask_cc: int
    open_interest_c: int
