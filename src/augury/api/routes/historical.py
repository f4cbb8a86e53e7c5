"""The historical tier: what finished before the cutoff, under ``/historical/*``.

Invariants (docs/decisions/0009-candlesticks.md):

- The cutoff is ``now - Settings.historical_cutoff_days``, one instant for all four kinds
  of record: markets settled, trades and fills made, orders finished (canceled or executed,
  by last update) and settled positions last updated before it.
- The historical tier is a *view*: the live endpoints keep serving everything, so a short
  history never loses data from them and a client that reads only the live tier sees all.
- Resting orders are never historical, whatever their age (CONTRACT §3.2).
- Paging follows the live endpoints: keyset cursors from the reader for trades, fills and
  orders (every page full but the last); the last ticker for markets and positions.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import Context, json_response
from augury.api.errors import ApiError
from augury.api.history_wire import trade_record_wire
from augury.api.market_stats import render_markets
from augury.api.routes.history import paged, ts_range, user_subaccount
from augury.api.routes.markets import page_params, tickers_param
from augury.api.routes.orders import ctx
from augury.api.schemas import historical as wh
from augury.api.schemas import markets as wm
from augury.api.schemas import orders as wo
from augury.api.schemas import portfolio as wp
from augury.api.schemas.base import legacy_cents, rfc3339_from_ns
from augury.api.wire import fill_wire, order_wire, position_wire
from augury.domain.units import count_c_to_str, dollars_cc_to_str
from augury.queries import MarketView

__all__ = ["cutoff_ns", "routes"]

_DAY_NS = 86_400 * 1_000_000_000


def cutoff_ns(context: Context) -> int:
    """Return the instant before which finished records are historical."""
    return context.clock.now_ns() - context.settings.historical_cutoff_days * _DAY_NS


def _cap(hi: int | None, cutoff: int) -> int:
    # Strictly before the cutoff: the reader's bounds are inclusive.
    return cutoff - 1 if hi is None else min(hi, cutoff - 1)


async def get_cutoff(request: Request) -> Response:
    stamp = rfc3339_from_ns(cutoff_ns(ctx(request)))
    return json_response(
        wh.GetHistoricalCutoffResponse(
            market_settled_ts=stamp,
            trades_created_ts=stamp,
            orders_updated_ts=stamp,
            market_positions_last_updated_ts=stamp,
        )
    )


def _archived(market: MarketView, cutoff: int) -> bool:
    return market.settled_ns is not None and 0 < market.settled_ns < cutoff


async def get_markets(request: Request) -> Response:
    context = ctx(request)
    queries = context.queries
    cutoff = cutoff_ns(context)
    limit, cursor = page_params(request, lo=0)
    tickers = set(tickers_param(request, "tickers"))
    event = request.query_params.get("event_ticker") or None
    series = request.query_params.get("series_ticker") or None
    page: list[str] = []
    more = False
    for market in queries.markets(by_ticker=True):
        ticker = market.ticker
        if (cursor and ticker <= cursor) or not _archived(market, cutoff):
            continue
        if (tickers and ticker not in tickers) or (event and market.event_ticker != event):
            continue
        if series and queries.series_of(market) != series:
            continue
        if len(page) == limit:
            more = True
            break
        page.append(ticker)
    rendered = await render_markets(context, page)
    return json_response(
        wm.GetMarketsResponse(
            markets=[rendered[t] for t in page if t in rendered],
            cursor=page[-1] if more and page else "",
        )
    )


async def get_market(request: Request) -> Response:
    context = ctx(request)
    ticker = request.path_params["ticker"]
    market = context.queries.market(ticker)
    if market is None or not _archived(market, cutoff_ns(context)):
        raise ApiError(404, "market_not_found", f"market {ticker} is not in the historical tier")
    rendered = await render_markets(context, [ticker])
    return json_response(wm.GetMarketResponse(market=rendered[ticker]))


async def get_trades(request: Request) -> Response:
    context = ctx(request)
    cutoff = cutoff_ns(context)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request, lo=0)
    ticker = request.query_params.get("ticker") or None
    page = await paged(
        context.queries.trades(
            ticker=ticker,
            min_ts_ns=lo,
            max_ts_ns=_cap(hi, cutoff),
            limit=limit,
            cursor=cursor,
            fresh=False,
        )
    )
    return json_response(
        wm.GetTradesResponse(
            trades=[trade_record_wire(row) for row in page.items], cursor=page.cursor
        )
    )


async def get_fills(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    cutoff = cutoff_ns(context)
    sub = user_subaccount(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    tickers = tickers_param(request, "ticker")
    page = await paged(
        context.queries.fills(
            record.user_id,
            subaccount=sub,
            tickers=tickers,
            min_ts_ns=lo,
            max_ts_ns=_cap(hi, cutoff),
            limit=limit,
            cursor=cursor,
            fresh=False,
        )
    )
    return json_response(
        wp.GetFillsResponse(fills=[fill_wire(row) for row in page.items], cursor=page.cursor)
    )


async def get_orders(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    cutoff = cutoff_ns(context)
    sub = user_subaccount(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    ticker = request.query_params.get("ticker") or None
    # An order finished before the cutoff was created before it, so the created-time
    # bound is safe and lets the index seek; the finished-time test runs in the query, so
    # every page is full.
    page = await paged(
        context.queries.orders(
            record.user_id,
            subaccount=sub,
            ticker=ticker,
            min_ts_ns=lo,
            max_ts_ns=_cap(hi, cutoff),
            finished_before_ns=cutoff,
            limit=limit,
            cursor=cursor,
            fresh=False,
        )
    )
    return json_response(
        wo.GetOrdersResponse(orders=[order_wire(row) for row in page.items], cursor=page.cursor)
    )


async def get_positions(request: Request) -> Response:
    context = ctx(request)
    record = context.principal(request, "read")
    cutoff = cutoff_ns(context)
    sub = user_subaccount(request, record)
    tickers = set(tickers_param(request, "ticker"))
    event = request.query_params.get("event_ticker") or None
    limit, cursor = page_params(request)
    page = context.queries.positions(
        record.user_id,
        subaccount=sub,
        tickers=tickers,
        event_ticker=event,
        settled=True,
        updated_before_ns=cutoff,
        after_ticker=cursor,
        limit=limit,
    )
    events: dict[str, list[int]] = {}
    for position in page.items:
        agg = events.setdefault(position.event_ticker, [0, 0, 0, 0])
        agg[0] += position.total_traded_cc
        agg[1] += position.realized_pnl_cc
        agg[2] += position.fees_paid_cc
    return json_response(
        wp.GetPositionsResponse(
            cursor=page.cursor,
            market_positions=[position_wire(position) for position in page.items],
            event_positions=[
                wp.EventPosition(
                    event_ticker=name,
                    total_cost_dollars=dollars_cc_to_str(agg[0]),
                    total_cost_shares_fp=count_c_to_str(0),
                    event_exposure_dollars=dollars_cc_to_str(0),
                    realized_pnl_dollars=dollars_cc_to_str(agg[1]),
                    fees_paid_dollars=dollars_cc_to_str(agg[2]),
                    total_cost=legacy_cents(agg[0]),
                    fees_paid=legacy_cents(agg[2]),
                )
                for name, agg in sorted(events.items())
            ],
        )
    )


routes = [
    Route("/historical/cutoff", get_cutoff, methods=["GET"]),
    Route("/historical/markets", get_markets, methods=["GET"]),
    Route("/historical/markets/{ticker}", get_market, methods=["GET"]),
    Route("/historical/trades", get_trades, methods=["GET"]),
    Route("/historical/fills", get_fills, methods=["GET"]),
    Route("/historical/orders", get_orders, methods=["GET"]),
    Route("/historical/positions", get_positions, methods=["GET"]),
]
