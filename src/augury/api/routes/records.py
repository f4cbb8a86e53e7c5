"""History reads served from the read models: orders, fills, settlements, trades, cash;
and the request handling the live tier shares with the historical one.

Invariants:

- Every list here is served by the read port's history half (``Queries``: the history
  read models, on the reader's own thread; never engine memory), newest first,
  keyset-paged: ``cursor`` is the reader's opaque key, ``""`` on the last page.
- Read-your-writes: the writer runs behind the sequencer, so a live portfolio read first
  waits for the batches already queued (``fresh=True``, cheap when idle). A request that
  returned before this read began is therefore always visible. The historical tier reads
  only what finished before its cutoff, long written, so it does not wait.
- ``min_ts``/``max_ts`` are Unix seconds, both inclusive: ``max_ts`` covers its whole second.
- User-scoped reads only ever query the caller's ``user_id``; an order of another user is
  ``404 not_found``, the same answer as an unknown id, so ids cannot be probed.
- The live endpoints serve everything, including what the historical tier also serves
  (docs/decisions/0009-candlesticks.md). The two tiers' fills, orders and trades share
  one handler each (``fills``, ``orders``, ``trades``), which the historical tier calls
  with its cutoff: records strictly before it, and none of the live tier's extra filters.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from augury.api.context import context_of, json_response
from augury.api.errors import ApiError
from augury.api.params import page_params, paged, subaccount_filter, tickers_param, ts_range
from augury.api.render import cash as render_cash
from augury.api.render import fill as render_fill
from augury.api.render import order as render_order
from augury.api.render import settlement as render_settlement
from augury.api.render import trade as render_trade
from augury.api.schemas import exchange as wx
from augury.api.schemas import markets as wm
from augury.api.schemas import orders as wo
from augury.api.schemas import portfolio as wp
from augury.api.tutorials import order_status_alias

__all__ = ["fills", "orders", "routes", "trades"]

_ORDER_STATUSES = ("resting", "canceled", "executed")


def _before(hi: int | None, cutoff_ns: int | None) -> int | None:
    # Strictly before the cutoff: the reader's bounds are inclusive.
    if cutoff_ns is None:
        return hi
    return cutoff_ns - 1 if hi is None else min(hi, cutoff_ns - 1)


async def orders(request: Request, cutoff_ns: int | None = None) -> Response:
    """``GET /portfolio/orders``, or with a cutoff ``/historical/orders``: the orders that
    finished (canceled or executed, by last update) before it."""
    context = context_of(request)
    record = context.principal(request, "read")
    live = cutoff_ns is None
    status = request.query_params.get("status") or None if live else None
    if status is not None and status not in _ORDER_STATUSES:
        status = order_status_alias(status)
    events = tickers_param(request, "event_ticker") if live else []
    if len(events) > 10:
        raise ApiError(400, "invalid_parameters", "event_ticker takes at most 10 events")
    sub = subaccount_filter(request, record)
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
            event_tickers=events,
            status=status,
            min_ts_ns=lo,
            max_ts_ns=_before(hi, cutoff_ns),
            finished_before_ns=cutoff_ns,
            limit=limit,
            cursor=cursor,
            fresh=live,
        )
    )
    return json_response(
        wo.GetOrdersResponse(
            orders=[render_order.order(row) for row in page.items], cursor=page.cursor
        )
    )


async def get_order(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    order_id = request.path_params["order_id"]
    row = await context.queries.order(order_id)
    if row is None or row.user_id != record.user_id:
        raise ApiError(404, "not_found", f"order {order_id} not found")
    if record.subaccount is not None and row.subaccount != record.subaccount:
        raise ApiError(404, "not_found", f"order {order_id} not found")
    return json_response(wo.GetOrderResponse(order=render_order.order(row)))


async def fills(request: Request, cutoff_ns: int | None = None) -> Response:
    """``GET /portfolio/fills``, or with a cutoff ``/historical/fills``: fills made before it."""
    context = context_of(request)
    record = context.principal(request, "read")
    live = cutoff_ns is None
    tickers = tickers_param(request, "ticker")
    if live and len(tickers) > 100:
        raise ApiError(400, "invalid_parameters", "ticker takes at most 100 markets")
    sub = subaccount_filter(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    order_id = request.query_params.get("order_id") or None if live else None
    page = await paged(
        context.queries.fills(
            record.user_id,
            subaccount=sub,
            tickers=tickers,
            order_id=order_id,
            min_ts_ns=lo,
            max_ts_ns=_before(hi, cutoff_ns),
            limit=limit,
            cursor=cursor,
            fresh=live,
        )
    )
    return json_response(
        wp.GetFillsResponse(fills=[render_fill.fill(row) for row in page.items], cursor=page.cursor)
    )


async def trades(request: Request, cutoff_ns: int | None = None) -> Response:
    """``GET /markets/trades``, or with a cutoff ``/historical/trades``: trades made before it."""
    context = context_of(request)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request, lo=0)
    ticker = request.query_params.get("ticker") or None
    live = cutoff_ns is None
    if live and request.query_params.get("is_block_trade") == "true":
        # No block trades happen here; the filter can only match nothing.
        return json_response(wm.GetTradesResponse(trades=[], cursor=""))
    page = await paged(
        context.queries.trades(
            ticker=ticker,
            min_ts_ns=lo,
            max_ts_ns=_before(hi, cutoff_ns),
            limit=limit,
            cursor=cursor,
            fresh=live,
        )
    )
    return json_response(
        wm.GetTradesResponse(
            trades=[render_trade.trade(row) for row in page.items], cursor=page.cursor
        )
    )


async def get_settlements(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    sub = subaccount_filter(request, record)
    lo, hi = ts_range(request)
    limit, cursor = page_params(request)
    ticker = request.query_params.get("ticker") or None
    event = request.query_params.get("event_ticker") or None
    page = await paged(
        context.queries.settlements(
            record.user_id,
            subaccount=sub,
            ticker=ticker,
            event_ticker=event,
            min_ts_ns=lo,
            max_ts_ns=hi,
            limit=limit,
            cursor=cursor,
        )
    )
    return json_response(
        wp.GetSettlementsResponse(
            settlements=[render_settlement.settlement(row) for row in page.items],
            cursor=page.cursor,
        )
    )


async def get_deposits(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    limit, cursor = page_params(request, hi=500)
    page = await paged(
        context.queries.cash_movements(
            record.user_id,
            kind="deposit",
            subaccount=record.subaccount,  # a restricted key sees its subaccount only
            limit=limit,
            cursor=cursor,
        )
    )
    return json_response(
        wp.GetDepositsResponse(
            deposits=[render_cash.movement(row, wp.Deposit) for row in page.items],
            cursor=page.cursor,
        )
    )


async def get_withdrawals(request: Request) -> Response:
    context = context_of(request)
    record = context.principal(request, "read")
    limit, cursor = page_params(request, hi=500)
    page = await paged(
        context.queries.cash_movements(
            record.user_id,
            kind="withdrawal",
            subaccount=record.subaccount,  # a restricted key sees its subaccount only
            limit=limit,
            cursor=cursor,
        )
    )
    return json_response(
        wp.GetWithdrawalsResponse(
            withdrawals=[render_cash.movement(row, wp.Withdrawal) for row in page.items],
            cursor=page.cursor,
        )
    )


_ALL_DAY = [wx.DailySchedule(open_time="00:00", close_time="23:59")]


async def exchange_schedule(_request: Request) -> Response:
    # The exchange trades around the clock and has no planned maintenance.
    week = wx.WeeklySchedule(
        start_time="2020-01-01T00:00:00Z",
        end_time="2100-01-01T00:00:00Z",
        monday=_ALL_DAY,
        tuesday=_ALL_DAY,
        wednesday=_ALL_DAY,
        thursday=_ALL_DAY,
        friday=_ALL_DAY,
        saturday=_ALL_DAY,
        sunday=_ALL_DAY,
    )
    return json_response(
        wx.GetExchangeScheduleResponse(
            schedule=wx.Schedule(standard_hours=[week], maintenance_windows=[])
        )
    )


async def get_orders(request: Request) -> Response:
    return await orders(request)


async def get_fills(request: Request) -> Response:
    return await fills(request)


async def get_trades(request: Request) -> Response:
    return await trades(request)


routes = [
    Route("/portfolio/orders", get_orders, methods=["GET"]),
    Route("/portfolio/orders/{order_id}", get_order, methods=["GET"]),
    Route("/portfolio/fills", get_fills, methods=["GET"]),
    Route("/portfolio/settlements", get_settlements, methods=["GET"]),
    Route("/portfolio/deposits", get_deposits, methods=["GET"]),
    Route("/portfolio/withdrawals", get_withdrawals, methods=["GET"]),
    Route("/markets/trades", get_trades, methods=["GET"]),
    Route("/exchange/schedule", exchange_schedule, methods=["GET"]),
]
