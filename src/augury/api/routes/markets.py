"""Public market data served from the read side: exchange status, markets and books.

Public endpoints accept signed and unsigned calls alike (the SDK signs every call when it
has a key). Paging uses an opaque cursor (the last ticker returned) and answers
``cursor: ""`` on the last page, as the SDK requires. ``markets`` and ``one_market`` also
serve the historical tier: given its cutoff they keep only markets settled before it and
take none of the live tier's status and close-time filters.
"""

from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import context_of, json_response
from augury.api.errors import ApiError
from augury.api.market_stats import render_markets
from augury.api.params import int_param, market_status_param, page_params, tickers_param
from augury.api.render import book as render_book
from augury.api.schemas import exchange as wx
from augury.api.schemas import markets as wm
from augury.api.schemas import orderbook as wb
from augury.api.schemas.base import rfc3339_from_ns
from augury.queries import MarketView

__all__ = ["markets", "one_market", "routes"]

_NS_PER_S = 1_000_000_000


async def exchange_status(request: Request) -> Response:
    context = context_of(request)
    active = context.queries.trading_active()
    return json_response(wx.ExchangeStatus(exchange_active=True, trading_active=active))


def _settled_before(market: MarketView, cutoff_ns: int) -> bool:
    return market.settled_ns is not None and 0 < market.settled_ns < cutoff_ns


def _market(request: Request, ticker: str) -> MarketView:
    market = context_of(request).queries.market(ticker)
    if market is None:
        raise ApiError(404, "market_not_found", f"market {ticker} not found")
    return market


def _live_filter(request: Request) -> Iterator[MarketView]:
    queries = context_of(request).queries
    wanted = market_status_param(request)
    series = request.query_params.get("series_ticker")
    event = request.query_params.get("event_ticker")
    tickers = set(tickers_param(request, "tickers"))
    min_close = int_param(request, "min_close_ts", None, 0, 2**62)
    max_close = int_param(request, "max_close_ts", None, 0, 2**62)
    for market in queries.markets(by_ticker=True):
        if wanted is not None and market.status not in wanted:
            continue
        if event and market.event_ticker != event:
            continue
        if series and queries.series_of(market) != series:
            continue
        if tickers and market.ticker not in tickers:
            continue
        close_s = market.close_ts_ns // _NS_PER_S
        if min_close is not None and close_s < min_close:
            continue
        if max_close is not None and close_s > max_close:
            continue
        yield market


def _archive_filter(request: Request, cutoff_ns: int) -> Iterator[MarketView]:
    queries = context_of(request).queries
    tickers = set(tickers_param(request, "tickers"))
    event = request.query_params.get("event_ticker") or None
    series = request.query_params.get("series_ticker") or None
    for market in queries.markets(by_ticker=True):
        if not _settled_before(market, cutoff_ns):
            continue
        if (tickers and market.ticker not in tickers) or (event and market.event_ticker != event):
            continue
        if series and queries.series_of(market) != series:
            continue
        yield market


async def markets(request: Request, *, settled_before_ns: int | None = None) -> Response:
    """``GET /markets``, or with a cutoff ``GET /historical/markets``."""
    context = context_of(request)
    limit, cursor = page_params(request, lo=0)
    found = (
        _live_filter(request)
        if settled_before_ns is None
        else _archive_filter(request, settled_before_ns)
    )
    tickers: list[str] = []
    more = False
    for market in found:
        if cursor and market.ticker <= cursor:
            continue
        if len(tickers) == limit:
            more = True
            break
        tickers.append(market.ticker)
    # 24-hour volume and day-ago quotes come from the history store (one reader hop).
    rendered = await render_markets(context, tickers)
    page = [rendered[t] for t in tickers if t in rendered]
    next_cursor = tickers[-1] if more and tickers else ""
    return json_response(wm.GetMarketsResponse(markets=page, cursor=next_cursor))


async def one_market(request: Request, *, settled_before_ns: int | None = None) -> Response:
    """``GET /markets/{ticker}``, or with a cutoff ``GET /historical/markets/{ticker}``."""
    ticker = request.path_params["ticker"]
    if settled_before_ns is None:
        ticker = _market(request, ticker).ticker
    else:
        market = context_of(request).queries.market(ticker)
        if market is None or not _settled_before(market, settled_before_ns):
            raise ApiError(
                404, "market_not_found", f"market {ticker} is not in the historical tier"
            )
    rendered = await render_markets(context_of(request), [ticker])
    return json_response(wm.GetMarketResponse(market=rendered[ticker]))


async def get_markets(request: Request) -> Response:
    return await markets(request)


async def get_market(request: Request) -> Response:
    return await one_market(request)


async def get_orderbook(request: Request) -> Response:
    market = _market(request, request.path_params["ticker"])
    depth = int_param(request, "depth", 0, 0, 100) or 0
    return json_response(render_book.orderbook(market.book(depth)))


async def get_orderbooks(request: Request) -> Response:
    tickers = tickers_param(request, "tickers")
    if not tickers:
        raise ApiError(400, "invalid_parameters", "tickers is required")
    books = []
    for ticker in tickers:
        book = _market(request, ticker).book()
        books.append(
            wb.MarketOrderbookFp(
                ticker=ticker, orderbook_fp=render_book.orderbook_fp(book.yes, book.no)
            )
        )
    return json_response(wb.GetMarketOrderbooksResponse(orderbooks=books))


async def user_data_timestamp(request: Request) -> Response:
    return json_response(
        wx.GetUserDataTimestampResponse(
            as_of_time=rfc3339_from_ns(context_of(request).queries.now_ns())
        )
    )


routes = [
    Route("/exchange/status", exchange_status, methods=["GET"]),
    Route("/exchange/user_data_timestamp", user_data_timestamp, methods=["GET"]),
    Route("/markets", get_markets, methods=["GET"]),
    Route("/markets/orderbooks", get_orderbooks, methods=["GET"]),
    Route("/markets/{ticker}", get_market, methods=["GET"]),
    Route("/markets/{ticker}/orderbook", get_orderbook, methods=["GET"]),
]
