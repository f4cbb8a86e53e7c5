"""Historical cutoff and archived candlesticks (CONTRACT §3.2 "Historical").

``GET /historical/cutoff`` reports, as RFC 3339 datetimes, the boundaries before which
markets, trades, orders and positions live only under ``/historical/*``.

Archived candles use their own model: plain ``open``/``high``/``low``/``close`` dollar
strings (no ``_dollars`` suffix) and ``volume``/``open_interest`` as **count strings**,
unlike the live candle's legacy integer ``volume``. ``PriceDistributionHistorical``
declares all six prices as required-but-nullable keys, so they have no default here and
are encoded as ``null`` for a period without trades.
"""

from augury.api.schemas.base import WireResponse

__all__ = [
    "BidAskDistributionHistorical",
    "GetHistoricalCutoffResponse",
    "GetMarketCandlesticksHistoricalResponse",
    "MarketCandlestickHistorical",
    "PriceDistributionHistorical",
]


class GetHistoricalCutoffResponse(WireResponse, kw_only=True):
    market_settled_ts: str
    trades_created_ts: str
    orders_updated_ts: str
    market_positions_last_updated_ts: str | None = None


class BidAskDistributionHistorical(WireResponse, kw_only=True):
    open: str
    low: str
    high: str
    close: str


class PriceDistributionHistorical(WireResponse, kw_only=True):
    open: str | None
    low: str | None
    high: str | None
    close: str | None
    mean: str | None
    previous: str | None


class MarketCandlestickHistorical(WireResponse, kw_only=True):
    end_period_ts: int
    yes_bid: BidAskDistributionHistorical
    yes_ask: BidAskDistributionHistorical
    price: PriceDistributionHistorical
    volume: str
    open_interest: str


class GetMarketCandlesticksHistoricalResponse(WireResponse, kw_only=True):
    ticker: str
    candlesticks: list[MarketCandlestickHistorical]
