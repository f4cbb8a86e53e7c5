"""Candlesticks, live and archived (docs/decisions/0009-candlesticks.md).

A stored candle exists only for a period with a trade, a quote change or a settlement.
``price`` OHLC are absent (live shape) or null (archived shape) in a period without
trades, and ``previous`` is the last trade price before it; ``mean`` is the
volume-weighted mean trade price. ``latest_before`` is the synthetic candle
``include_latest_before_start`` prepends: the quotes in force (flat OHLC at the earlier
row's closes), no trades, ``previous`` the last price.
"""

from __future__ import annotations

from augury.api.schemas import candles as wc
from augury.api.schemas import historical as wh
from augury.api.schemas.base import legacy_cents, legacy_contracts
from augury.domain.units import count_c_to_str, dollars_cc_to_str
from augury.queries.views import Candle

__all__ = ["candle", "candle_historical", "latest_before"]


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


def candle(row: Candle) -> wc.MarketCandlestick:
    """Render one stored candle (live shape)."""
    mean = row.mean_price_cc
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


def latest_before(row: Candle, end_ts_s: int) -> wc.MarketCandlestick:
    """Render the candle in force before a window from the newest stored row before it."""
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


def candle_historical(row: Candle) -> wh.MarketCandlestickHistorical:
    """Render one stored candle in the archived shape (null prices without trades)."""
    mean = row.mean_price_cc
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
