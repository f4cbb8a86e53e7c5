"""Candlesticks: per market, per batch of markets, per event, and the archived form.

Invariants (docs/decisions/0009-candlesticks.md):

- A candle is served only for a period that has a stored row (a trade, a quote change or a
  settlement in it); gaps are not filled. A period without trades has no price OHLC (the
  live shape omits them, the archived shape sends null) but keeps ``previous``.
- ``start_ts``/``end_ts`` bound the period *end* (Unix seconds, inclusive), oldest first.
- At most 10,000 candles per response: the batch endpoint stops filling markets once the
  budget is spent; the event endpoint cuts every market at the same ``adjusted_end_ts``.
- Each request makes one hop to the reader thread, whatever the number of markets.
"""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.history_wire import candle_historical_wire, candle_wire, latest_before_wire
from augury.api.routes.history import MAX_TS, read
from augury.api.routes.markets import int_param, tickers_param
from augury.api.routes.orders import ctx
from augury.api.schemas import candles as wc
from augury.api.schemas import historical as wh
from augury.api.tutorials import candle_period
from augury.store.history_read import MAX_CANDLES, HistoryReader
from augury.store.records import Candle

__all__ = ["routes"]

_PERIODS = (1, 60, 1440)
MAX_BATCH_MARKETS = 100


class _Window:
    """The validated query: period, start, end, and the include-latest flag."""

    def __init__(self, request: Request) -> None:
        start = int_param(request, "start_ts", None, 0, MAX_TS)
        end = int_param(request, "end_ts", None, 0, MAX_TS)
        period = int_param(request, "period_interval", None, 1, 1440)
        if start is None or end is None or period is None:
            raise ApiError(400, "invalid_parameters", "start_ts, end_ts, period_interval needed")
        if period not in _PERIODS:
            period = candle_period(period)  # 5 or 15 under --compat tutorials, else 400
        if start > end:
            raise ApiError(400, "invalid_parameters", "start_ts must not be after end_ts")
        self.start, self.end, self.period = start, end, period
        flag = request.query_params.get("include_latest_before_start") or ""
        self.latest = flag.lower() == "true"


def _check_market(context: Context, ticker: str, series: str | None) -> None:
    exchange = context.exchange
    market = exchange.markets.get(ticker)
    if market is None:
        raise ApiError(404, "market_not_found", f"market {ticker} not found")
    if series is not None and exchange.events[market.event_ticker].series_ticker != series:
        raise ApiError(404, "market_not_found", f"market {ticker} is not in series {series}")


def aggregate(rows: list[Candle], period_min: int) -> list[Candle]:
    """Fold consecutive 1-minute candles into ``period_min`` ones (the same semantics:
    opens and ``previous`` of the first row, closes and open interest of the last, highs
    and lows over all, sums added; a period's price OHLC only from rows that traded)."""
    out: list[Candle] = []
    span = period_min * 60
    for row in rows:
        end = -(-row.end_ts_s // span) * span
        if not out or out[-1].end_ts_s != end:
            out.append(replace(row, period_min=period_min, end_ts_s=end))
            continue
        acc = out[-1]
        prices = [p for p in (acc.price_high_cc, row.price_high_cc) if p is not None]
        lows = [p for p in (acc.price_low_cc, row.price_low_cc) if p is not None]
        out[-1] = replace(
            acc,
            yes_bid_high_cc=max(acc.yes_bid_high_cc, row.yes_bid_high_cc),
            yes_bid_low_cc=min(acc.yes_bid_low_cc, row.yes_bid_low_cc),
            yes_bid_close_cc=row.yes_bid_close_cc,
            yes_ask_high_cc=max(acc.yes_ask_high_cc, row.yes_ask_high_cc),
            yes_ask_low_cc=min(acc.yes_ask_low_cc, row.yes_ask_low_cc),
            yes_ask_close_cc=row.yes_ask_close_cc,
            price_open_cc=acc.price_open_cc if acc.price_open_cc is not None else row.price_open_cc,
            price_high_cc=max(prices) if prices else None,
            price_low_cc=min(lows) if lows else None,
            price_close_cc=row.price_close_cc
            if row.price_close_cc is not None
            else acc.price_close_cc,
            price_volume_fine=acc.price_volume_fine + row.price_volume_fine,
            volume_c=acc.volume_c + row.volume_c,
            open_interest_c=row.open_interest_c,
        )
    return out


def _candles(reader: HistoryReader, ticker: str, window: _Window, limit: int) -> list[Candle]:
    if window.period in _PERIODS:
        return reader.candles(ticker, window.period, window.start, window.end, limit=limit)
    # --compat tutorials: 5 and 15 minutes, folded from the stored 1-minute candles.
    first_minute = window.start - window.period * 60 + 60
    minutes = reader.candles(ticker, 1, max(0, first_minute), window.end, limit=MAX_CANDLES)
    folded = [c for c in aggregate(minutes, window.period) if c.end_ts_s >= window.start]
    return folded[:limit]


def _market_rows(
    reader: HistoryReader, ticker: str, window: _Window, limit: int
) -> list[wc.MarketCandlestick]:
    rows = _candles(reader, ticker, window, limit)
    out = [candle_wire(row) for row in rows]
    if window.latest:
        before = reader.candle_before(ticker, window.period, window.start)
        if before is not None:
            out.insert(0, latest_before_wire(before, before.end_ts_s))
    return out


async def market_candles(request: Request) -> Response:
    context = ctx(request)
    ticker = request.path_params["ticker"]
    _check_market(context, ticker, request.path_params["series_ticker"])
    window = _Window(request)
    candles = await read(
        context, lambda r: _market_rows(r, ticker, window, MAX_CANDLES), drain=False
    )
    return json_response(wc.GetMarketCandlesticksResponse(ticker=ticker, candlesticks=candles))


def _batch(
    reader: HistoryReader, tickers: list[str], window: _Window
) -> list[wc.MarketCandlesticksResponse]:
    budget = MAX_CANDLES
    out = []
    for ticker in tickers:
        candles = _market_rows(reader, ticker, window, budget) if budget > 0 else []
        budget -= len(candles)
        out.append(wc.MarketCandlesticksResponse(market_ticker=ticker, candlesticks=candles))
    return out


async def batch_candles(request: Request) -> Response:
    context = ctx(request)
    tickers = tickers_param(request, "market_tickers")
    if not tickers:
        raise ApiError(400, "invalid_parameters", "market_tickers is required")
    if len(tickers) > MAX_BATCH_MARKETS:
        raise ApiError(400, "invalid_parameters", "market_tickers takes at most 100 markets")
    for ticker in tickers:
        _check_market(context, ticker, None)
    window = _Window(request)
    markets = await read(context, lambda r: _batch(r, tickers, window), drain=False)
    return json_response(wc.BatchGetMarketCandlesticksResponse(markets=markets))


def _event_rows(
    reader: HistoryReader, tickers: list[str], window: _Window
) -> tuple[list[list[Candle]], int]:
    # Share the budget evenly; a market that fills its share moves the common end back.
    share = max(1, MAX_CANDLES // max(1, len(tickers)))
    rows = [_candles(reader, t, window, share) for t in tickers]
    end = window.end
    for market_rows in rows:
        if len(market_rows) == share:
            end = min(end, market_rows[-1].end_ts_s)
    return [[row for row in market_rows if row.end_ts_s <= end] for market_rows in rows], end


async def event_candles(request: Request) -> Response:
    context = ctx(request)
    event = context.exchange.events.get(request.path_params["ticker"])
    if event is None or event.series_ticker != request.path_params["series_ticker"]:
        raise ApiError(404, "not_found", "event not found in this series")
    tickers = list(event.markets)
    window = _Window(request)
    rows, end = await read(context, lambda r: _event_rows(r, tickers, window), drain=False)
    return json_response(
        wc.GetEventCandlesticksResponse(
            market_tickers=tickers,
            market_candlesticks=[[candle_wire(row) for row in market] for market in rows],
            adjusted_end_ts=end,
        )
    )


async def historical_candles(request: Request) -> Response:
    context = ctx(request)
    ticker = request.path_params["ticker"]
    _check_market(context, ticker, None)
    window = _Window(request)
    rows = await read(
        context,
        lambda r: r.candles(ticker, window.period, window.start, window.end),
        drain=False,
    )
    return json_response(
        wh.GetMarketCandlesticksHistoricalResponse(
            ticker=ticker, candlesticks=[candle_historical_wire(row) for row in rows]
        )
    )


routes = [
    Route("/markets/candlesticks", batch_candles, methods=["GET"]),
    Route("/series/{series_ticker}/markets/{ticker}/candlesticks", market_candles, methods=["GET"]),
    Route("/series/{series_ticker}/events/{ticker}/candlesticks", event_candles, methods=["GET"]),
    Route("/historical/markets/{ticker}/candlesticks", historical_candles, methods=["GET"]),
]
