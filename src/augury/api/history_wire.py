"""History rows -> wire: the read models' records rendered in Kalshi's 3.34 shapes.

The companions of ``augury.api.wire`` (which renders engine events and memory): every
function is a pure conversion of one ``augury.store.records`` row. Prices are the YES price
(``no_price = $1 - yes``), amounts keep the engine's integer units until they are turned
into dollar and count strings here, and the legacy integer courtesy fields ride along.

Candles: a stored candle exists only for a period with a trade, a quote change or a
settlement (docs/decisions/0009-candlesticks.md); ``price`` OHLC are absent (live) or null
(historical) in a period without trades, and ``previous`` is the last trade price before it.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from augury.api.schemas import candles as wc
from augury.api.schemas import historical as wh
from augury.api.schemas import markets as wm
from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents, legacy_contracts, rfc3339_from_ns
from augury.domain.units import ONE_DOLLAR_CC, count_c_to_str, dollars_cc_to_str
from augury.store.records import (
    Candle,
    CashMovementRecord,
    SettlementRecord,
    TradeRecord,
)

__all__ = [
    "candle_historical_wire",
    "candle_wire",
    "latest_before_wire",
    "money_movement_wire",
    "settlement_record_wire",
    "trade_record_wire",
]

_NS_PER_S = 1_000_000_000
_Movement = TypeVar("_Movement", wp.Deposit, wp.Withdrawal)


def trade_record_wire(row: TradeRecord) -> wm.Trade:
    """Render a public trade; the taker's outcome side follows its book side."""
    yes = row.price_cc
    outcome = "yes" if row.taker_side == "bid" else "no"
    return wm.Trade(
        trade_id=row.trade_id,
        ticker=row.ticker,
        count_fp=count_c_to_str(row.count_c),
        yes_price_dollars=dollars_cc_to_str(yes),
        no_price_dollars=dollars_cc_to_str(ONE_DOLLAR_CC - yes),
        taker_side=cast(Any, outcome),
        taker_outcome_side=cast(Any, outcome),
        taker_book_side=cast(Any, row.taker_side),
        created_time=rfc3339_from_ns(row.ts_ns),
        is_block_trade=False,
        count=legacy_contracts(row.count_c),
        yes_price=legacy_cents(yes),
        no_price=legacy_cents(ONE_DOLLAR_CC - yes),
    )


def settlement_record_wire(row: SettlementRecord) -> wp.Settlement:
    """Render one account's settlement of one market.

    ``market_result`` has no ``void``: a voided market is reported as ``scalar`` with the
    refund value per YES contract, which is what a void pays.
    """
    result = row.result if row.result in ("yes", "no", "scalar") else "scalar"
    return wp.Settlement(
        ticker=row.ticker,
        exchange_index=0,
        event_ticker=row.event_ticker or "",
        market_result=cast(Any, result),
        yes_count_fp=count_c_to_str(row.yes_c),
        yes_total_cost_dollars=dollars_cc_to_str(row.yes_cost_cc),
        no_count_fp=count_c_to_str(row.no_c),
        no_total_cost_dollars=dollars_cc_to_str(row.no_cost_cc),
        revenue=legacy_cents(row.revenue_cc),
        settled_time=rfc3339_from_ns(row.ts_ns),
        fee_cost=dollars_cc_to_str(row.fee_cost_cc),
        value=legacy_cents(row.value_cc) if row.value_cc is not None else None,
        yes_count=legacy_contracts(row.yes_c),
        no_count=legacy_contracts(row.no_c),
        yes_total_cost=legacy_cents(row.yes_cost_cc),
        no_total_cost=legacy_cents(row.no_cost_cc),
    )


def money_movement_wire(row: CashMovementRecord, cls: type[_Movement]) -> _Movement:
    """Render a deposit or withdrawal (``cls``): applied at once, reported as ACH, no fee
    (an operator moves the cash; see docs/decisions/0009-candlesticks.md)."""
    ts = row.ts_ns // _NS_PER_S
    return cls(
        id=f"{row.kind}-{row.id}",
        status="applied",
        type="ach",
        amount_cents=legacy_cents(abs(row.amount_cc)),
        fee_cents=0,
        created_ts=ts,
        finalized_ts=ts,
    )


def _bid_ask(open_: int, high: int, low: int, close: int) -> wc.BidAskDistribution:
    return wc.BidAskDistribution(
        open_dollars=dollars_cc_to_str(open_),
        high_dollars=dollars_cc_to_str(high),
        low_dollars=dollars_cc_to_str(low),
        close_dollars=dollars_cc_to_str(close),
        open=legacy_cents(open_),
        high=legacy_cents(high),
        low=legacy_cents(low),
        close=legacy_cents(close),
    )


def _dollars(value_cc: int | None) -> str | None:
    return None if value_cc is None else dollars_cc_to_str(value_cc)


def _cents(value_cc: int | None) -> int | None:
    return None if value_cc is None else legacy_cents(value_cc)


def _mean_cc(row: Candle) -> int | None:
    # Volume-weighted mean trade price, floored to the centi-cent.
    return row.price_volume_fine // row.volume_c if row.volume_c else None


def candle_wire(row: Candle) -> wc.MarketCandlestick:
    """Render one stored candle (live shape)."""
    mean = _mean_cc(row) if row.price_close_cc is not None else None
    return wc.MarketCandlestick(
        end_period_ts=row.end_ts_s,
        yes_bid=_bid_ask(
            row.yes_bid_open_cc, row.yes_bid_high_cc, row.yes_bid_low_cc, row.yes_bid_close_cc
        ),
        yes_ask=_bid_ask(
            row.yes_ask_open_cc, row.yes_ask_high_cc, row.yes_ask_low_cc, row.yes_ask_close_cc
        ),
        price=wc.PriceDistribution(
            open_dollars=_dollars(row.price_open_cc),
            high_dollars=_dollars(row.price_high_cc),
            low_dollars=_dollars(row.price_low_cc),
            close_dollars=_dollars(row.price_close_cc),
            mean_dollars=_dollars(mean),
            previous_dollars=_dollars(row.price_previous_cc),
            min_dollars=_dollars(row.price_low_cc),
            max_dollars=_dollars(row.price_high_cc),
            open=_cents(row.price_open_cc),
            high=_cents(row.price_high_cc),
            low=_cents(row.price_low_cc),
            close=_cents(row.price_close_cc),
            mean=_cents(mean),
            previous=_cents(row.price_previous_cc),
            min=_cents(row.price_low_cc),
            max=_cents(row.price_high_cc),
        ),
        volume_fp=count_c_to_str(row.volume_c),
        open_interest_fp=count_c_to_str(row.open_interest_c),
        volume=legacy_contracts(row.volume_c),
        open_interest=legacy_contracts(row.open_interest_c),
    )


def latest_before_wire(row: Candle, end_ts_s: int) -> wc.MarketCandlestick:
    """The synthetic candle ``include_latest_before_start`` prepends: the quotes in force
    (flat OHLC at the earlier row's closes), no trades, ``previous`` = the last price."""
    last = row.price_close_cc if row.price_close_cc is not None else row.price_previous_cc
    bid, ask = row.yes_bid_close_cc, row.yes_ask_close_cc
    return wc.MarketCandlestick(
        end_period_ts=end_ts_s,
        yes_bid=_bid_ask(bid, bid, bid, bid),
        yes_ask=_bid_ask(ask, ask, ask, ask),
        price=wc.PriceDistribution(previous_dollars=_dollars(last), previous=_cents(last)),
        volume_fp=count_c_to_str(0),
        open_interest_fp=count_c_to_str(row.open_interest_c),
        volume=0,
        open_interest=legacy_contracts(row.open_interest_c),
    )


def _bid_ask_historical(
    open_: int, high: int, low: int, close: int
) -> wh.BidAskDistributionHistorical:
    return wh.BidAskDistributionHistorical(
        open=dollars_cc_to_str(open_),
        high=dollars_cc_to_str(high),
        low=dollars_cc_to_str(low),
        close=dollars_cc_to_str(close),
    )


def candle_historical_wire(row: Candle) -> wh.MarketCandlestickHistorical:
    """Render one stored candle in the archived shape (null prices without trades)."""
    mean = _mean_cc(row) if row.price_close_cc is not None else None
    return wh.MarketCandlestickHistorical(
        end_period_ts=row.end_ts_s,
        yes_bid=_bid_ask_historical(
            row.yes_bid_open_cc, row.yes_bid_high_cc, row.yes_bid_low_cc, row.yes_bid_close_cc
        ),
        yes_ask=_bid_ask_historical(
            row.yes_ask_open_cc, row.yes_ask_high_cc, row.yes_ask_low_cc, row.yes_ask_close_cc
        ),
        price=wh.PriceDistributionHistorical(
            open=_dollars(row.price_open_cc),
            high=_dollars(row.price_high_cc),
            low=_dollars(row.price_low_cc),
            close=_dollars(row.price_close_cc),
            mean=_dollars(mean),
            previous=_dollars(row.price_previous_cc),
        ),
        volume=count_c_to_str(row.volume_c),
        open_interest=count_c_to_str(row.open_interest_c),
    )
