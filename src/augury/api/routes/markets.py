"""Public market data served from engine memory: exchange status, markets and books.

Public endpoints accept signed and unsigned calls alike (the SDK signs every call when it
has a key). Paging uses an opaque cursor (the last ticker returned) and answers
``cursor: ""`` on the last page, as the SDK requires.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api import bounds
from augury.api.context import json_response
from augury.api.errors import ApiError
from augury.api.market_stats import render_markets
from augury.api.routes.orders import ctx
from augury.api.schemas import exchange as wx
from augury.api.schemas import markets as wm
from augury.api.schemas import orderbook as wb
from augury.api.schemas.base import rfc3339_from_ns
from augury.api.tutorials import market_status_alias
from augury.api.wire import book_levels
from augury.domain.enums import MarketStatus
from augury.engine.market import Market

__all__ = ["STATUS_FILTER", "int_param", "routes", "tickers_param"]

STATUS_FILTER: dict[str, frozenset[MarketStatus]] = {
    "unopened": frozenset({MarketStatus.INITIALIZED}),
    "open": frozenset({MarketStatus.ACTIVE}),
    "paused": frozenset({MarketStatus.INACTIVE}),
    "closed": frozenset(
        {
            MarketStatus.CLOSED,
            MarketStatus.DETERMINED,
            MarketStatus.DISPUTED,
            MarketStatus.AMENDED,
        }
    ),
    "settled": frozenset({MarketStatus.FINALIZED}),
}


_INTEGER = re.compile(r"-?[0-9]{1,19}", re.ASCII)


def int_param(request: Request, name: str, default: int | None, lo: int, hi: int) -> int | None:
    """Read an optional integer query parameter within bounds (400 otherwise)."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only: int() would also take " 1", "1_000" and "١".
    if not _INTEGER.fullmatch(raw):
        raise ApiError(400, "invalid_parameters", f"{name} must be an integer")
    value = int(raw)
    if not lo <= value <= hi:
        raise ApiError(400, "invalid_parameters", f"{name} must be between {lo} and {hi}")
    return value


def page_params(
    request: Request, *, default: int = 100, lo: int = 1, hi: int = 1000
) -> tuple[int, str]:
    """Read a paginated endpoint's ``limit`` (within bounds) and ``cursor`` ("" = first page).

    ``limit=0``, where an endpoint allows it (``lo=0``), means the default, as on Kalshi.
    """
    limit = int_param(request, "limit", default, lo, hi) or default
    return limit, bounds.cursor(request.query_params.get("cursor") or "")


def tickers_param(request: Request, name: str) -> list[str]:
    """Read a list parameter sent either as repeated keys or as one comma-separated value."""
    values: list[str] = []
    for raw in request.query_params.getlist(name):
        values.extend(part for part in raw.split(",") if part)
    return values


async def exchange_status(request: Request) -> Response:
    context = ctx(request)
    active = not context.exchange.trading_paused
    return json_response(wx.ExchangeStatus(exchange_active=True, trading_active=active))


def _market(request: Request, ticker: str) -> Market:
    market = ctx(request).exchange.markets.get(ticker)
    if market is None:
        raise ApiError(404, "market_not_found", f"market {ticker} not found")
    return market


def _filtered(request: Request) -> Iterable[Market]:
    exchange = ctx(request).exchange
    status = request.query_params.get("status")
    wanted = None
    if status:
        wanted = STATUS_FILTER.get(status) or market_status_alias(status)
    series = request.query_params.get("series_ticker")
    event = request.query_params.get("event_ticker")
    tickers = set(tickers_param(request, "tickers"))
    min_close = int_param(request, "min_close_ts", None, 0, 2**62)
    max_close = int_param(request, "max_close_ts", None, 0, 2**62)
    for ticker in sorted(exchange.markets):
        market = exchange.markets[ticker]
        if wanted is not None and market.status not in wanted:
            continue
        if event and market.event_ticker != event:
            continue
        if series and exchange.events[market.event_ticker].series_ticker != series:
            continue
        if tickers and ticker not in tickers:
            continue
        close_s = market.close_ts_ns // 1_000_000_000
        if min_close is not None and close_s < min_close:
            continue
        if max_close is not None and close_s > max_close:
            continue
        yield market


async def get_markets(request: Request) -> Response:
    context = ctx(request)
    limit, cursor = page_params(request, lo=0)
    tickers: list[str] = []
    more = False
    for market in _filtered(request):
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


async def get_market(request: Request) -> Response:
    ticker = _market(request, request.path_params["ticker"]).ticker
    rendered = await render_markets(ctx(request), [ticker])
    return json_response(wm.GetMarketResponse(market=rendered[ticker]))


async def get_orderbook(request: Request) -> Response:
    market = _market(request, request.path_params["ticker"])
    depth = int_param(request, "depth", 0, 0, 100) or 0
    yes, no = book_levels(market, depth)
    return json_response(wb.orderbook_response(yes, no))


async def get_orderbooks(request: Request) -> Response:
    tickers = tickers_param(request, "tickers")
    if not tickers:
        raise ApiError(400, "invalid_parameters", "tickers is required")
    books = []
    for ticker in tickers:
        yes, no = book_levels(_market(request, ticker))
        books.append(wb.MarketOrderbookFp(ticker=ticker, orderbook_fp=wb.orderbook_fp(yes, no)))
    return json_response(wb.GetMarketOrderbooksResponse(orderbooks=books))


async def user_data_timestamp(request: Request) -> Response:
    return json_response(
        wx.GetUserDataTimestampResponse(as_of_time=rfc3339_from_ns(ctx(request).exchange.now_ns))
    )


routes = [
    Route("/exchange/status", exchange_status, methods=["GET"]),
    Route("/exchange/user_data_timestamp", user_data_timestamp, methods=["GET"]),
    Route("/markets", get_markets, methods=["GET"]),
    Route("/markets/orderbooks", get_orderbooks, methods=["GET"]),
    Route("/markets/{ticker}", get_market, methods=["GET"]),
    Route("/markets/{ticker}/orderbook", get_orderbook, methods=["GET"]),
]
