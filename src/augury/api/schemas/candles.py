"""Live candlesticks (CONTRACT §4.9, §3.2).

A candle covers ``period_interval`` minutes (1, 60 or 1440) and ends at
``end_period_ts`` (Unix seconds, inclusive). ``yes_bid``/``yes_ask`` always carry the
four OHLC dollar strings. ``price`` describes trades in the period, so its fields are
optional: a period without trades omits them, and the synthetic candle added by
``include_latest_before_start`` only has ``previous_dollars``.

Legacy courtesy fields: before April 2026 candles also carried integer-cent
``open/low/high/close`` (and ``mean``, ``previous``, ``min``, ``max`` on ``price``) and
integer ``volume``/``open_interest``. They are optional ints here, omitted when ``None``.
The archived form served under ``/historical`` is a different model, in ``historical``.
"""

from augury.api.schemas.base import WireResponse

__all__ = [
    "BatchGetMarketCandlesticksResponse",
    "BidAskDistribution",
    "GetEventCandlesticksResponse",
    "GetMarketCandlesticksResponse",
    "MarketCandlestick",
    "MarketCandlesticksResponse",
    "PriceDistribution",
]


class BidAskDistribution(WireResponse, kw_only=True):
    open_dollars: str
    low_dollars: str
    high_dollars: str
    close_dollars: str
    # Legacy courtesy fields (integer cents).
    open: int | None = None
    low: int | None = None
    high: int | None = None
    close: int | None = None


class PriceDistribution(WireResponse, kw_only=True):
    open_dollars: str | None = None
    low_dollars: str | None = None
    high_dollars: str | None = None
    close_dollars: str | None = None
    mean_dollars: str | None = None
    previous_dollars: str | None = None
    min_dollars: str | None = None
    max_dollars: str | None = None
    # Legacy courtesy fields (integer cents).
    open: int | None = None
    low: int | None = None
    high: int | None = None
    close: int | None = None
    mean: int | None = None
    previous: int | None = None
    min: int | None = None
    max: int | None = None


class MarketCandlestick(WireResponse, kw_only=True):
    end_period_ts: int
    yes_bid: BidAskDistribution
    yes_ask: BidAskDistribution
    price: PriceDistribution
    volume_fp: str
    open_interest_fp: str
    # Legacy courtesy fields (whole contracts).
    volume: int | None = None
    open_interest: int | None = None


class GetMarketCandlesticksResponse(WireResponse, kw_only=True):
    ticker: str
    candlesticks: list[MarketCandlestick]


class MarketCandlesticksResponse(WireResponse, kw_only=True):
    market_ticker: str
    candlesticks: list[MarketCandlestick]


class BatchGetMarketCandlesticksResponse(WireResponse, kw_only=True):
    markets: list[MarketCandlesticksResponse]


class GetEventCandlesticksResponse(WireResponse, kw_only=True):
    market_tickers: list[str]
    # One candle list per market, in the order of ``market_tickers``.
    market_candlesticks: list[list[MarketCandlestick]]
    adjusted_end_ts: int
