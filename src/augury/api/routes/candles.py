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

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import Context, context_of, json_response
from augury.api.errors import ApiError
from augury.api.params import MAX_TS, flag_param, int_param, tickers_param
from augury.api.render import candle as render
from augury.api.schemas import candles as wc
from augury.api.schemas import historical as wh
from augury.api.tutorials import candle_period
from augury.queries import MAX_CANDLES
from augury.queries.views import Candle

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
        self.latest = flag_param(request, "include_latest_before_start")


def _check_market(context: Context, ticker: str, series: str | None) -> None:
    queries = context.queries
    market = queries.market(ticker)
    if market is None:
        raise ApiError(404, "market_not_found", f"market {ticker} not found")
    if series is not None and queries.series_of(market) != series:
        raise ApiError(404, "market_not_found", f"market {ticker} is not in series {series}")


def _market_wire(rows: list[Candle], before: Candle | None) -> list[wc.MarketCandlestick]:
    out = [render.candle(row) for row in rows]
    if before is not None:
        out.insert(0, render.latest_before(before, before.end_ts_s))
    return out


async def market_candles(request: Request) -> Response:
    context = context_of(request)
    ticker = request.path_params["ticker"]
    _check_market(context, ticker, request.path_params["series_ticker"])
    window = _Window(request)
    [(rows, before)] = await context.queries.candles(
        [ticker], window.period, window.start, window.end, with_latest_before=window.latest
    )
    return json_response(
        wc.GetMarketCandlesticksResponse(ticker=ticker, candlesticks=_market_wire(rows, before))
    )


async def batch_candles(request: Request) -> Response:
    context = context_of(request)
    tickers = tickers_param(request, "market_tickers")
    if not tickers:
        raise ApiError(400, "invalid_parameters", "market_tickers is required")
    if len(tickers) > MAX_BATCH_MARKETS:
        raise ApiError(400, "invalid_parameters", "market_tickers takes at most 100 markets")
    for ticker in tickers:
        _check_market(context, ticker, None)
    window = _Window(request)
    found = await context.queries.candles(
        tickers,
        window.period,
        window.start,
        window.end,
        budget=MAX_CANDLES,
        with_latest_before=window.latest,
    )
    markets = [
        wc.MarketCandlesticksResponse(market_ticker=ticker, candlesticks=_market_wire(*rows))
        for ticker, rows in zip(tickers, found, strict=True)
    ]
    return json_response(wc.BatchGetMarketCandlesticksResponse(markets=markets))


async def event_candles(request: Request) -> Response:
    context = context_of(request)
    event = context.queries.event(request.path_params["ticker"])
    if event is None or event.series_ticker != request.path_params["series_ticker"]:
        raise ApiError(404, "not_found", "event not found in this series")
    tickers = list(event.markets)
    window = _Window(request)
    # Share the budget evenly; a market that fills its share moves the common end back.
    share = max(1, MAX_CANDLES // max(1, len(tickers)))
    found = await context.queries.candles(
        tickers, window.period, window.start, window.end, limit_each=share
    )
    end = window.end
    for market_rows, _ in found:
        if len(market_rows) == share:
            end = min(end, market_rows[-1].end_ts_s)
    rows = [[row for row in market_rows if row.end_ts_s <= end] for market_rows, _ in found]
    return json_response(
        wc.GetEventCandlesticksResponse(
            market_tickers=tickers,
            market_candlesticks=[[render.candle(row) for row in market] for market in rows],
            adjusted_end_ts=end,
        )
    )


async def historical_candles(request: Request) -> Response:
    context = context_of(request)
    ticker = request.path_params["ticker"]
    _check_market(context, ticker, None)
    window = _Window(request)
    [(rows, _)] = await context.queries.candles([ticker], window.period, window.start, window.end)
    return json_response(
        wh.GetMarketCandlesticksHistoricalResponse(
            ticker=ticker, candlesticks=[render.candle_historical(row) for row in rows]
        )
    )


routes = [
    Route("/markets/candlesticks", batch_candles, methods=["GET"]),
    Route("/series/{series_ticker}/markets/{ticker}/candlesticks", market_candles, methods=["GET"]),
    Route("/series/{series_ticker}/events/{ticker}/candlesticks", event_candles, methods=["GET"]),
    Route("/historical/markets/{ticker}/candlesticks", historical_candles, methods=["GET"]),
]
